import Testing

@testable import Drover

@Suite("Response and Body")
struct ResponseTests {
    struct Greeting: Codable, Equatable {
        var hello: String
    }

    @Test("a text response is text/plain;charset=UTF-8 unless told otherwise")
    func text() async throws {
        let response = Response("héllo")
        #expect(response.status == 200)
        #expect(response.ok)
        #expect(response.headers["content-type"] == "text/plain;charset=UTF-8")
        #expect(try await response.text() == "héllo")
        #expect(response.body.knownLength == 6)
        let html = Response("<p>", status: 201, headers: ["Content-Type": "text/html"])
        #expect(html.headers.values(for: "content-type") == ["text/html"])
        #expect(html.status == 201)
    }

    @Test("a JSON response is application/json")
    func json() async throws {
        let response = Response.json(["a": 1, "b": [true]], status: 202)
        #expect(response.status == 202)
        #expect(response.headers["content-type"] == "application/json")
        #expect(try await response.text() == "{\"a\":1,\"b\":[true]}")
        #expect(try await response.json()["b"]?[0] == true)
        let typed = try Response.json(encoding: Greeting(hello: "world"))
        #expect(try await typed.json(as: Greeting.self) == Greeting(hello: "world"))
        let custom = Response.json(nil, headers: ["content-type": "application/problem+json"])
        #expect(custom.headers["content-type"] == "application/problem+json")
        #expect(try await custom.text() == "null")
    }

    @Test("a redirect is 302 with Location and no body; the status can be chosen")
    func redirect() async throws {
        let response = Response.redirect("https://example.test/next")
        #expect(response.status == 302)
        #expect(response.headers["location"] == "https://example.test/next")
        #expect(try await response.bytes().isEmpty)
        #expect(!response.ok)
        #expect(Response.redirect("/x", status: 308).status == 308)
        #expect(Response.redirect("/x", status: 308).statusText == "Permanent Redirect")
    }

    @Test("error responses and HTTPError")
    func errors() async throws {
        let response = Response.error("nope", status: 404)
        #expect(try await response.json() == ["error": "nope"])
        let error = HTTPError(429, headers: ["Retry-After": "3"])
        #expect(error.message == "too many requests")
        #expect(error.response.status == 429)
        #expect(error.response.headers["retry-after"] == "3")
        #expect(try await error.response.json() == ["error": "too many requests"])
        #expect(error.description == "429 too many requests")
        #expect(HTTPStatus.reasonPhrase(599) == "")
    }

    @Test("Body from bytes, text and nothing")
    func bodies() async throws {
        #expect(try await Body(bytes: [1, 2, 3]).bytes() == [1, 2, 3])
        #expect(Body(bytes: []).knownLength == 0)
        #expect(Body.empty.bufferedBytes == [])
        #expect(try await Body(text: "{\"x\":1}").json() == ["x": 1])
        #expect(try await Body(text: "abc").text() == "abc")
        #expect(try await Body(bytes: [0x61, 0xFF]).text() == "a\u{FFFD}")
        await #expect(throws: JSONParseError.self) { try await Body(text: "{").json() }
        await #expect(throws: BodyError.tooLarge(limit: 2)) { try await Body(text: "abc").bytes(limit: 2) }
        #expect(try await Body(text: "ab").bytes(limit: 2) == Array("ab".utf8))
    }

    @Test("a stream body is collected whole, and refused beyond the limit")
    func stream() async throws {
        let (stream, continuation) = Body.Stream.makeStream()
        continuation.yield([1, 2])
        continuation.yield([3])
        continuation.yield([4, 5, 6])
        continuation.finish()
        let body = Body(stream: stream, length: 6)
        #expect(body.isStream)
        #expect(body.knownLength == 6)
        #expect(body.bufferedBytes == nil)
        #expect(try await body.bytes() == [1, 2, 3, 4, 5, 6])

        let (long, longContinuation) = Body.Stream.makeStream()
        longContinuation.yield([UInt8](repeating: 0, count: 10))
        longContinuation.yield([UInt8](repeating: 0, count: 10))
        longContinuation.finish()
        await #expect(throws: BodyError.tooLarge(limit: 15)) { try await Body(stream: long).bytes(limit: 15) }
    }

    @Test("Body.writer streams what the producer writes, and its error")
    func writer() async throws {
        let body = Body.writer { write in
            for chunk in 0..<5 { write([UInt8(chunk)]) }
        }
        #expect(body.isStream)
        #expect(body.knownLength == nil)
        #expect(try await body.bytes() == [0, 1, 2, 3, 4])

        struct Broken: Error {}
        let failing = Body.writer(length: 10) { write in
            write([1])
            throw Broken()
        }
        #expect(failing.knownLength == 10)
        await #expect(throws: Broken.self) { try await failing.bytes() }
    }
}
