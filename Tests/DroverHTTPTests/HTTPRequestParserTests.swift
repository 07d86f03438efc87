import Testing

@testable import DroverHTTP

/// The parser from byte strings, whole and one byte at a time (FlyingFox `HTTPDecoderTests` model).
@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
    /// Whole, one byte at a time, and an awkward prime split.
    static let splits = [Int.max, 1, 7]

    @Test("a GET with headers", arguments: splits)
    func simpleGet(split: Int) throws {
        let outcome = ParserHarness.parse(
            "GET /path?x=1 HTTP/1.1\r\nHost: example.test:8080\r\nX-Custom-Name:  spaced value \t\r\nAccept: */*\r\n\r\n",
            split: split
        )
        #expect(outcome.error == nil)
        let request = try #require(outcome.requests.first)
        #expect(outcome.requests.count == 1)
        #expect(request.head.method == "GET")
        #expect(request.head.target == "/path?x=1")
        #expect(request.head.minorVersion == 1)
        #expect(request.head.host == "example.test:8080")
        #expect(request.head.keepAlive)
        #expect(request.head.fields.map(\.name) == ["host", "x-custom-name", "accept"])
        #expect(request.value("x-custom-name") == "spaced value")
        #expect(request.body.isEmpty)
    }

    @Test("a POST with Content-Length", arguments: splits)
    func postWithLength(split: Int) throws {
        let outcome = ParserHarness.parse("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world", split: split)
        let request = try #require(outcome.requests.first)
        #expect(request.bodyText == "hello world")
        #expect(request.head.contentLength == 11)
    }

    @Test("a chunked body with extensions and trailers", arguments: splits)
    func chunked(split: Int) throws {
        let outcome = ParserHarness.parse(
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1 ; x\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer-Field: yes\r\n\r\n",
            split: split
        )
        #expect(outcome.error == nil)
        let request = try #require(outcome.requests.first)
        #expect(request.head.isChunked)
        #expect(request.bodyText == "hello 0123456789")
    }

    @Test("pipelined requests come out in order", arguments: splits)
    func pipelined(split: Int) {
        let outcome = ParserHarness.parse(
            "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
            split: split
        )
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.target) == ["/1", "/2", "/3"])
        #expect(outcome.requests.map(\.bodyText) == ["", "abc", "z"])
    }

    @Test("empty lines before the request line are ignored (RFC 9112 §2.2)", arguments: splits)
    func leadingEmptyLines(split: Int) {
        let outcome = ParserHarness.parse("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", split: split)
        #expect(outcome.requests.count == 1)
    }

    @Test("an absolute-form target gives the authority and the path (RFC 9112 §3.2.2)")
    func absoluteForm() throws {
        let outcome = ParserHarness.parse("GET http://api.test:81/v1?q=2 HTTP/1.1\r\nHost: other\r\n\r\n")
        let request = try #require(outcome.requests.first)
        #expect(request.head.host == "api.test:81")
        #expect(request.head.target == "/v1?q=2")
    }

    @Test("HTTP/1.0 keeps alive only when asked; HTTP/1.1 unless closed (RFC 9112 §9.3)")
    func persistence() {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n", false),
        ]
        for (text, keepAlive) in cases {
            #expect(ParserHarness.parse(text).requests.first?.head.keepAlive == keepAlive, "\(text)")
        }
    }

    @Test("Expect: 100-continue is noted when a body follows", arguments: splits)
    func expectContinue(split: Int) throws {
        let outcome = ParserHarness.parse(
            "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
            split: split
        )
        let request = try #require(outcome.requests.first)
        #expect(request.head.expectsContinue)
        #expect(request.bodyText == "ok")
    }

    @Test("the head is reported before its body arrives")
    func headBeforeBody() {
        let outcome = ParserHarness.parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
        #expect(outcome.requests.isEmpty)
        #expect(outcome.sawHeadWithoutEnd)
        #expect(outcome.error == nil)
    }

    @Test("a request line over the limit is 414", arguments: splits)
    func requestLineTooLong(split: Int) {
        let limits = HTTPParserLimits(maxRequestLineSize: 64)
        let long = "GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(ParserHarness.parse(long, split: split, limits: limits).error?.status == 414)
        // Also before the line ends: the client may never send the CRLF.
        let unterminated = "GET /" + String(repeating: "a", count: 100)
        #expect(ParserHarness.parse(unterminated, split: split, limits: limits).error?.status == 414)
        let fits = "GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(ParserHarness.parse(fits, split: split, limits: limits).requests.count == 1)
    }

    @Test("a header section over the limit is 431", arguments: splits)
    func headersTooLarge(split: Int) {
        let limits = HTTPParserLimits(maxHeaderSize: 256)
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + String(repeating: "b", count: 300) + "\r\n\r\n"
        let outcome = ParserHarness.parse(big, split: split, limits: limits)
        #expect(outcome.error == .headersTooLarge(limit: 256))
        #expect(outcome.error?.status == 431)
    }

    @Test("more header fields than the limit is 431", arguments: splits)
    func tooManyHeaders(split: Int) {
        let limits = HTTPParserLimits(maxHeaderCount: 5)
        let fields = (0..<6).map { "X-\($0): v\r\n" }.joined()
        #expect(ParserHarness.parse("GET / HTTP/1.1\r\n" + fields + "\r\n", split: split, limits: limits).error?.status == 431)
        let five = "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<4).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        #expect(ParserHarness.parse(five, split: split, limits: limits).requests.count == 1)
    }

    @Test("a body over the limit is 413, declared or chunked", arguments: splits)
    func bodyTooLarge(split: Int) {
        let limits = HTTPParserLimits(maxBodySize: 8)
        let declared = ParserHarness.parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\n", split: split, limits: limits)
        #expect(declared.error?.status == 413)
        let chunked = ParserHarness.parse(
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n",
            split: split,
            limits: limits
        )
        #expect(chunked.error?.status == 413)
        let exact = ParserHarness.parse(
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\n12345678",
            split: split,
            limits: limits
        )
        #expect(exact.requests.first?.bodyText == "12345678")
    }

    @Test("after an error the parser stays failed")
    func staysFailed() {
        var parser = HTTPRequestParser()
        var errors: [HTTPParseError?] = []
        for text in ["GET / HTTP/1.1\nHost: h\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\n\r\n"] {
            Array(text.utf8).withUnsafeBytes { bytes in
                do {
                    _ = try parser.parse(bytes)
                    errors.append(nil)
                } catch {
                    errors.append(error as? HTTPParseError)
                }
            }
        }
        #expect(errors == [.bareLineFeed, .bareLineFeed])
    }
}
