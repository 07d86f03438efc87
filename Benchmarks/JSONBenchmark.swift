import Drover

/// `JSONParser.parse` and `JSONSerializer.bytes` on the JSON a worker reads most: a JWT's claims
/// (Clerk's session token), a webhook's body (a Shopify order of about 2 KiB), and a string with
/// escapes and non-ASCII text.
///
/// `swift run -c release Benchmarks json [iterations]`
enum JSONBenchmark {
    static let claims = Array(
        #"{"azp":"https://app.example.com","exp":1767312000,"fva":[12,-1],"iat":1767225590,"iss":"https://clerk.example.com","nbf":1767225580,"pla":"u:free_user","sid":"sess_2abcDEFghiJKLmnoPQRstuVWxyz","sub":"user_2abcDEFghiJKLmnoPQRstuVWxyz","v":2}"#
            .utf8)

    static let order: [UInt8] = {
        var items: [JSONValue] = []
        for index in 0..<8 {
            items.append([
                "id": .integer(Int64(866_550_311_766_439_000 + index)), "title": "Aviator sunglasses, size \(index)",
                "quantity": .integer(Int64(index + 1)), "price": "89.99", "sku": .string("SKU-\(1000 + index)"),
                "taxable": true, "grams": 100, "vendor": "Drover Optics",
            ])
        }
        let order: JSONValue = [
            "id": 820_982_911_946_154_508, "email": "jon@example.com", "created_at": "2026-01-01T12:34:56-05:00",
            "currency": "USD", "total_price": "719.92", "financial_status": "paid", "line_items": .array(items),
            "shipping_address": ["city": "Ottawa", "country": "Canada", "zip": "K2P 1L4", "address1": "123 Elgin St"],
        ]
        return JSONSerializer.bytes(order)
    }()

    static let escaped = Array(#"{"text":"caf\u00e9 \"quoted\" line\nbreak \ud83d\ude00 and plain ünïcödé text"}"#.utf8)

    static func run(arguments: [String]) async throws {
        let iterations = arguments.first.flatMap(Int.init) ?? 200_000
        let clock = ContinuousClock()
        var sum = 0
        func ns(_ duration: Duration) -> Int {
            Int((Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9) / Double(iterations))
        }
        print("| step | bytes | ns |")
        print("|---|---|---|")
        for (name, bytes) in [("parse JWT claims", claims), ("parse Shopify order", order), ("parse escaped string", escaped)] {
            _ = try JSONParser.parse(bytes)
            let time = try clock.measure {
                for _ in 0..<iterations { sum &+= (try JSONParser.parse(bytes)).objectValue?.count ?? 0 }
            }
            print("| \(name) | \(bytes.count) | \(ns(time)) |")
        }
        let value = try JSONParser.parse(order)
        let write = clock.measure {
            for _ in 0..<iterations { sum &+= JSONSerializer.bytes(value).count }
        }
        print("| serialize Shopify order | \(order.count) | \(ns(write)) |")
        if sum == 0 { print("(unreachable)") }
    }
}
