import Drover
import DroverIntegrationKit
import Foundation

/// A local stand-in for the Shopify Admin REST API, for the calls the sample app makes:
///
/// - `PUT /admin/api/{version}/products/{id}.json` — `{"product": {...}}` answered with the product
///   as stored (`id` and a fresh `updated_at` added);
/// - `GET /admin/api/{version}/orders.json?limit=N&updated_at_min=…&page_info=…` — the fake shop's
///   orders (those updated at or after `updated_at_min`), `limit` at a time (at most 250), the next
///   page linked as Shopify links it:
///   `Link: <https://{shop}/admin/api/{version}/orders.json?limit=N&page_info=…>; rel="next"`.
///
/// Every call needs `X-Shopify-Access-Token` equal to the var `FAKE_SHOPIFY_ACCESS_TOKEN` (401
/// otherwise), and goes through Shopify's leaky bucket — 40 calls, leaking 2 a second — kept in KV
/// per shop: each answer carries `X-Shopify-Shop-Api-Call-Limit: used/40`, and a call that does not
/// fit gets 429 with `Retry-After: 2.0`, as the real API answers
/// (https://shopify.dev/docs/api/usage/rate-limits).
enum ShopifyFake {
    /// The fake shop's orders: this many, ids from 450789469.
    static let orderCount = 7

    static func install(on router: inout Router) {
        router.put("/admin/api/:version/products/:file") { request, env, ctx in
            try await FakeLedger.serve("shopify", request, env) {
                try await limited(request, env) {
                    let file = request.param("file") ?? ""
                    guard file.hasSuffix(".json"), let id = Int64(file.dropLast(5)) else {
                        return Response.json(["errors": "Not Found"], status: 404)
                    }
                    guard case .object(var product)? = try await request.json()["product"] else {
                        return Response.json(["errors": ["product": "Required parameter missing or invalid"]], status: 400)
                    }
                    product["id"] = .integer(id)
                    product["updated_at"] = .string(ISO8601DateFormatter().string(from: env.clock.now()))
                    return Response.json(["product": .object(product)])
                }
            }
        }
        router.get("/admin/api/:version/orders.json") { request, env, ctx in
            try await FakeLedger.serve("shopify", request, env) {
                try await limited(request, env) { orders(request) }
            }
        }
    }

    /// One page of orders, and the link to the next. `updated_at_min` keeps the orders updated at
    /// or after it; as on Shopify, a `page_info` carries the filter of the first page (the fake's
    /// is `offset:seconds`, base64url) and the other parameters are then ignored.
    static func orders(_ request: Request) -> Response {
        let limit = max(1, min(250, Int(request.query["limit"] ?? "") ?? 50))
        var offset = 0
        var since = request.query["updated_at_min"].flatMap { ISO8601DateFormatter().date(from: $0) }?.timeIntervalSince1970 ?? 0
        // A page_info is the client's to send: anything but one the fake made starts over.
        if let cursor = request.query["page_info"].flatMap({ Base64URL.decode($0) }).map({ String(decoding: $0, as: UTF8.self) }) {
            let parts = cursor.split(separator: ":")
            if parts.count == 2, let asked = Int(parts[0]), let seconds = Double(parts[1]), seconds.isFinite {
                offset = asked
                since = seconds
            }
        }
        let matching = (0..<orderCount).filter { updatedAt(of: $0).timeIntervalSince1970 >= since }
        if !(0..<max(matching.count, 1)).contains(offset) { offset = 0 }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: -5 * 3600)
        let page = matching.dropFirst(offset).prefix(limit).map { index -> JSONValue in
            let id = 450_789_469 + Int64(index)
            return [
                "id": .integer(id), "email": .string("customer\(index)@example.com"), "total_price": .string("\(100 + index * 10).00"),
                "currency": "USD", "financial_status": index % 3 == 0 ? "pending" : "paid",
                "updated_at": .string(formatter.string(from: updatedAt(of: index))),
                "line_items": [["id": .integer(id * 10), "sku": .string("SKU-\(index)"), "quantity": .integer(Int64(1 + index % 3)), "price": "10.00"]],
            ]
        }
        var headers = Headers()
        if offset + limit < matching.count {
            let version = request.param("version") ?? "2024-01"
            let next = Base64URL.encode(Array("\(offset + limit):\(since)".utf8))
            headers.set("Link", "<\(request.scheme)://\(request.authority)/admin/api/\(version)/orders.json?limit=\(limit)&page_info=\(next)>; rel=\"next\"")
        }
        return Response.json(["orders": .array(Array(page))], headers: headers)
    }

    /// When the fake shop's order `index` was last updated: a day apart from 2026-01-01, 10:00 at
    /// UTC−5.
    static func updatedAt(of index: Int) -> Date {
        Date(timeIntervalSince1970: 1_767_279_600 + Double(index % 9) * 86_400)
    }

    /// The token check and the shop's call limit around `handler`.
    static func limited(_ request: Request, _ env: Env, _ handler: () async throws -> Response) async throws -> Response {
        guard let token = request.headers["x-shopify-access-token"], token == (env.vars["FAKE_SHOPIFY_ACCESS_TOKEN"] ?? "shpat_local_example") else {
            return Response.json(["errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"], status: 401)
        }
        let bucket = try LeakyBucket(kv: try env.kv("FAKES"), clock: env.clock, capacity: 40, leakPerSecond: 2, keyPrefix: "shopify:bucket:")
        let shop = request.authority.lowercased()
        let grant: RateLimitGrant
        do {
            grant = try await bucket.acquire(shop)
        } catch let error as RateLimitError where error.code == .limited {
            return Response.json(
                ["errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."],
                status: 429, headers: ["Retry-After": "2.0", "X-Shopify-Shop-Api-Call-Limit": "40/40"])
        }
        var response = try await handler()
        let used = max(1, min(40, Int((40 - grant.remaining).rounded(.up))))
        response.headers.set("X-Shopify-Shop-Api-Call-Limit", "\(used)/40")
        return response
    }
}
