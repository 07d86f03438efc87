import Foundation
import Testing

@testable import Drover

@Suite("Codable bodies: Response.json(encoding:) and request.json(as:)")
struct JSONCodingTests {
    struct Order: Codable, Equatable {
        var zeta: Int
        var url: String
        var items: [Item]
        var note: String?
    }

    struct Item: Codable, Equatable {
        var sku: String
        var price: Double
    }

    static func request(_ body: String) -> Request {
        TestSupport.makeRequest("POST", "/orders", body: Body(text: body))
    }

    @Test("Response.json(encoding:) writes JSONEncoder's text directly: keys sorted, slashes unescaped")
    func encoding() async throws {
        let order = Order(zeta: 1, url: "https://shop.example/o/1", items: [Item(sku: "a/b", price: 9.5)], note: nil)
        let response = try Response.json(encoding: order, status: 201)
        #expect(response.status == 201)
        #expect(response.headers["content-type"] == "application/json")
        #expect(try await response.text() == #"{"items":[{"price":9.5,"sku":"a/b"}],"url":"https://shop.example/o/1","zeta":1}"#)
        #expect(try await response.json(as: Order.self) == order)
    }

    @Test("Response.json(encoding:) of a value JSONEncoder refuses throws")
    func encodingFails() {
        #expect(throws: EncodingError.self) { try Response.json(encoding: ["x": Double.nan]) }
    }

    @Test("request.json(as:) decodes the body")
    func decodes() async throws {
        let order = try await Self.request(#"{"zeta":2,"url":"u","items":[{"sku":"s","price":1}]}"#).json(as: Order.self)
        #expect(order == Order(zeta: 2, url: "u", items: [Item(sku: "s", price: 1)], note: nil))
    }

    @Test(
        "a body that is not a T is an HTTPError 400 naming where",
        arguments: [
            (#"{"zeta":2,"url":"u","items":[{"sku":"s","price":"free"}]}"#, "invalid JSON body: items[0].price: "),
            (#"{"url":"u","items":[]}"#, #"invalid JSON body: missing key "zeta""#),
            (#"{"zeta":2,"url":"u","items":[{"price":1}]}"#, #"invalid JSON body: missing key "sku" in items[0]"#),
            (#"{"zeta":null,"url":"u","items":[]}"#, "invalid JSON body: zeta: "),
            (#"{"zeta":2,"#, "invalid JSON body: not JSON: 1:11: "),
            ("", "invalid JSON body: not JSON: "),
        ]
    )
    func failures(body: String, prefix: String) async throws {
        do {
            _ = try await Self.request(body).json(as: Order.self)
            Issue.record("decoded \(body)")
        } catch let error as HTTPError {
            #expect(error.status == 400)
            #expect(error.message.hasPrefix(prefix), "\(error.message)")
        }
    }

    @Test("through a Router, a bad body answers 400 with the message")
    func routerAnswers400() async throws {
        var router = Router()
        router.post("/orders") { request, _, _ in
            let order = try await request.json(as: Order.self)
            return .json(["items": order.items.count])
        }
        let ok = try await router.fetch(
            Self.request(#"{"zeta":1,"url":"u","items":[]}"#), env: TestSupport.makeEnv(), ctx: TestSupport.makeContext())
        #expect(try await ok.json() == ["items": 0])
        let bad = try await router.fetch(Self.request(#"{"url":"u","items":[]}"#), env: TestSupport.makeEnv(), ctx: TestSupport.makeContext())
        #expect(bad.status == 400)
        #expect(try await bad.json() == ["error": #"invalid JSON body: missing key "zeta""#])
    }

    @Test("request.json() of a body that is not JSON is a 400 through a Router, like json(as:)")
    func untypedBodyAnswers400() async throws {
        var router = Router()
        router.post("/orders") { request, _, _ in .json(try await request.json()) }
        let bad = try await router.fetch(Self.request(#"{"zeta":"#), env: TestSupport.makeEnv(), ctx: TestSupport.makeContext())
        #expect(bad.status == 400)
        let message = try #require(try await bad.json()["error"]?.stringValue)
        #expect(message.hasPrefix("invalid JSON body: not JSON: 1:"), "\(message)")
        await #expect(throws: JSONParseError.self) { try await Body(text: "nope").json() }
    }

    @Test("Body.json(as:) keeps its errors: JSONParseError for text that is not JSON, DecodingError otherwise")
    func bodyErrors() async throws {
        await #expect(throws: JSONParseError.self) { try await Body(text: "nope").json(as: Order.self) }
        await #expect(throws: DecodingError.self) { try await Body(text: "{}").json(as: Order.self) }
    }

    @Test("JSONValue(encoding:) sorts keys too, so it is the same in every process")
    func jsonValueEncoding() throws {
        let value = try JSONValue(encoding: ["b": 1, "a": 2, "c": 3])
        #expect(JSONSerializer.string(value) == #"{"a":2,"b":1,"c":3}"#)
    }
}
