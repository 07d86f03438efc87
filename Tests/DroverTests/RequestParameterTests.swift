import Foundation
import Testing

@testable import Drover

@Suite("Typed route and query parameters")
struct RequestParameterTests {
    /// A type of the app's own: lower-case letters and dashes.
    struct Slug: LosslessStringConvertible {
        var description: String
        init?(_ description: String) {
            guard !description.isEmpty, description.allSatisfy({ $0.isLowercase || $0 == "-" }) else { return nil }
            self.description = description
        }
    }

    static var router: Router {
        var router = Router()
        router.get("/users/:id") { request, _, _ in
            let id = try request.param("id", as: Int.self)
            let page = try request.query.get("page", as: Int.self) ?? 1
            return .json(["id": id, "page": page])
        }
        router.get("/bytes/:n") { request, _, _ in
            .json(["n": try request.param("n", as: UInt8.self)])
        }
        router.get("/typo/:id") { request, _, _ in
            .json(["id": try request.param("idd", as: Int.self)])
        }
        return router
    }

    static func get(_ target: String) async throws -> Response {
        try await router.fetch(TestSupport.makeRequest("GET", target), env: TestSupport.makeEnv(), ctx: TestSupport.makeContext())
    }

    @Test("param(_:as:) and query.get(_:as:) convert")
    func converts() async throws {
        #expect(try await Self.get("/users/42").json() == ["id": 42, "page": 1])
        #expect(try await Self.get("/users/42?page=3").json() == ["id": 42, "page": 3])
        var request = Request(target: "/x?ratio=0.5&on=true")
        request.params = ["id": "-7"]
        #expect(try request.param("id", as: Int64.self) == -7)
        #expect(try request.query.get("ratio", as: Double.self) == 0.5)
        #expect(try request.query.get("on", as: Bool.self) == true)
        #expect(try request.query.get("absent", as: Int.self) == nil)
        #expect(try request.param("id", as: String.self) == "-7")
    }

    @Test(
        "a parameter that does not convert answers 400 naming it",
        arguments: [
            ("/users/abc", #"route parameter "id" must be an integer, got "abc""#),
            ("/users/1?page=two", #"query parameter "page" must be an integer, got "two""#),
            ("/bytes/300", #"route parameter "n" must be an integer from 0 to 255, got "300""#),
            ("/typo/1", #"missing route parameter "idd""#),
        ]
    )
    func badParameter(target: String, message: String) async throws {
        let response = try await Self.get(target)
        #expect(response.status == 400)
        #expect(try await response.json() == ["error": .string(message)])
    }

    @Test("the thrown error is an HTTPError 400")
    func thrownError() {
        var request = Request(target: "/x?f=1.5.2&b=yes")
        request.params = ["id": "x"]
        #expect(throws: HTTPError.self) { try request.param("id", as: Int.self) }
        for (name, type, message) in [
            ("f", Double.self as any LosslessStringConvertible.Type, #"query parameter "f" must be a number, got "1.5.2""#),
            ("b", Bool.self, #"query parameter "b" must be true or false, got "yes""#),
            ("f", Slug.self, #"query parameter "f" must be a valid Slug, got "1.5.2""#),
        ] {
            do {
                _ = try request.query.get(name, as: type)
                Issue.record("converted \(name)")
            } catch let error as HTTPError {
                #expect(error.status == 400)
                #expect(error.message == message)
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
