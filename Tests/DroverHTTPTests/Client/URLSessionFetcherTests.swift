import Drover
import DroverTestSupport
import Foundation
import Synchronization
import Testing

@testable import DroverHTTP

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Outbound fetch against real HTTP servers on 127.0.0.1 (``FetchTestServer``), never further.
@Suite("URLSessionFetcher")
struct URLSessionFetcherTests {
    /// Runs `body` with a server answering by `script`, then stops it.
    private func withServer<T>(
        _ script: @escaping @Sendable (ReceivedRequest) -> ScriptedAnswer,
        _ body: (FetchTestServer) async throws -> T
    ) async throws -> T {
        let server = try FetchTestServer(script)
        defer { server.stop() }
        return try await body(server)
    }

    /// The ``FetchError`` `operation` throws.
    private func fetchError(_ operation: () async throws -> Response) async throws -> FetchError {
        do {
            let response = try await operation()
            Issue.record("expected a FetchError, got status \(response.status)")
            throw FetchError(kind: .other, message: "no error")
        } catch let error as FetchError {
            return error
        }
    }

    // MARK: Round trips

    @Test func getPassesHeadersAndReturnsStatusHeadersAndBody() async throws {
        try await withServer({ _ in
            .text("hello", status: 200, headers: [("Content-Type", "text/plain"), ("X-Reply", "yes")])
        }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            var headers = Headers()
            headers.append("X-Custom", "one")
            headers.append("User-Agent", "drover-test")
            let response = try await fetcher.fetch("\(server.origin)/path/a?x=1&y=2", headers: headers)
            #expect(response.status == 200)
            #expect(response.headers["x-reply"] == "yes")
            #expect(response.headers["content-type"] == "text/plain")
            #expect(try await response.text() == "hello")

            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.target == "/path/a?x=1&y=2")
            #expect(request.values("x-custom") == ["one"])
            #expect(request.values("user-agent") == ["drover-test"])
            #expect(request.values("host") == ["127.0.0.1:\(server.port)"])
            #expect(request.body.isEmpty)
        }
    }

    @Test func postSendsBodyBytesIntact() async throws {
        try await withServer({ request in
            .respond(status: 201, headers: [("Content-Type", "application/octet-stream")], body: request.body.reversed())
        }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let payload = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let response = try await fetcher.fetch(
                "\(server.origin)/upload",
                method: "POST",
                headers: ["Content-Type": "application/octet-stream"],
                body: Body(bytes: payload)
            )
            #expect(response.status == 201)
            #expect(try await response.bytes() == payload.reversed())

            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.body == payload)
            #expect(request.values("content-type") == ["application/octet-stream"])
            #expect(request.values("content-length") == ["3000"])
            #expect(request.values("expect").isEmpty)
        }
    }

    @Test func concurrentCallsOnOneFetcherGetTheirOwnResponses() async throws {
        try await withServer({ request in .text(request.target) }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<24 {
                    group.addTask { (index, try await fetcher.fetch("\(server.origin)/n/\(index)").text()) }
                }
                var answers: [Int: String] = [:]
                for try await (index, text) in group { answers[index] = text }
                return answers
            }
            #expect(answers.count == 24)
            for (index, text) in answers { #expect(text == "/n/\(index)") }
        }
    }

    @Test func streamedRequestBodyIsCollected() async throws {
        try await withServer({ request in .text(request.text) }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let body = Body.writer { write in
                write(Array("chunk one, ".utf8))
                write(Array("chunk two".utf8))
            }
            let response = try await fetcher.fetch(
                "\(server.origin)/echo",
                method: "PUT",
                headers: ["Content-Type": "text/plain"],
                body: body
            )
            #expect(try await response.text() == "chunk one, chunk two")
            #expect(server.requests.first?.method == "PUT")
        }
    }

    @Test func transportOwnedRequestFieldsAreNotPassedOn() async throws {
        try await withServer({ _ in .text("ok") }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let headers: Headers = [
                "Host": "elsewhere.example", "Content-Length": "999", "Connection": "upgrade", "X-Kept": "1",
            ]
            _ = try await fetcher.fetch(
                "\(server.origin)/",
                method: "POST",
                headers: headers,
                body: Body(text: "abc")
            )
            let request = try #require(server.requests.first)
            #expect(request.values("host") == ["127.0.0.1:\(server.port)"])
            #expect(request.values("content-length") == ["3"])
            #expect(request.values("x-kept") == ["1"])
            #expect(request.body == Array("abc".utf8))
        }
    }

    @Test(arguments: [404, 500, 503, 204])
    func errorStatusesAreResponses(status: Int) async throws {
        try await withServer({ _ in
            .respond(status: status, headers: [], body: status == 204 ? [] : Array("status \(status)".utf8))
        }) { server in
            let response = try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/x")
            #expect(response.status == status)
            #expect(try await response.text() == (status == 204 ? "" : "status \(status)"))
        }
    }

    @Test func repeatedResponseFieldsAreJoinedAndSetCookiesSplit() async throws {
        try await withServer({ _ in
            .text(
                "ok",
                headers: [
                    ("Set-Cookie", "a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT"),
                    ("X-Multi", "first"),
                    ("Set-Cookie", "b=2; HttpOnly"),
                    ("X-Multi", "second"),
                ]
            )
        }) { server in
            let response = try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/")
            #expect(response.headers.setCookies == ["a=1; Path=/; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2; HttpOnly"])
            #expect(response.headers["x-multi"] == "first, second")
        }
    }

    @Test func gzipBodyIsDecodedAndItsEncodingFieldsDropped() async throws {
        // gzip of "hello, gzip world" (Python's gzip.compress with mtime 0).
        let gzipped: [UInt8] = [
            31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 215, 81, 72, 175, 202, 44, 80, 40, 207, 47, 202, 73, 1,
            0, 235, 131, 70, 130, 17, 0, 0, 0,
        ]
        try await withServer({ _ in
            .respond(status: 200, headers: [("Content-Encoding", "gzip"), ("Content-Type", "text/plain")], body: gzipped)
        }) { server in
            let response = try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/")
            #expect(try await response.text() == "hello, gzip world")
            #expect(response.headers["content-encoding"] == nil)
            #expect(response.headers["content-length"] == nil)
            #expect(response.headers["content-type"] == "text/plain")
        }
    }

    @Test func chunkedBodyIsDecodedAndConnectionFieldsDropped() async throws {
        let chunked = Array("5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n".utf8)
        try await withServer({ _ in
            .respond(status: 200, headers: [("Transfer-Encoding", "chunked"), ("Keep-Alive", "timeout=5")], body: chunked)
        }) { server in
            let response = try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/")
            #expect(try await response.text() == "hello, world")
            #expect(response.headers["transfer-encoding"] == nil)
            #expect(response.headers["keep-alive"] == nil)
            #expect(response.headers["connection"] == nil)
        }
    }

    @Test func overLongResponseBodyFails() async throws {
        try await withServer({ _ in .respond(status: 200, headers: [], body: Array(repeating: 65, count: 5000)) }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard, maximumResponseBodyBytes: 100)
            let error = try await fetchError { try await fetcher.fetch("\(server.origin)/") }
            #expect(error.kind == .other)
        }
    }

    // MARK: Redirects

    struct RedirectCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var method: String
        var expectedMethod: String
        var keepsBody: Bool
        var testDescription: String { "\(status) \(method) -> \(expectedMethod)" }
    }

    @Test(arguments: [
        RedirectCase(status: 301, method: "POST", expectedMethod: "GET", keepsBody: false),
        RedirectCase(status: 302, method: "POST", expectedMethod: "GET", keepsBody: false),
        RedirectCase(status: 303, method: "POST", expectedMethod: "GET", keepsBody: false),
        RedirectCase(status: 303, method: "PUT", expectedMethod: "GET", keepsBody: false),
        RedirectCase(status: 302, method: "PUT", expectedMethod: "PUT", keepsBody: true),
        RedirectCase(status: 307, method: "POST", expectedMethod: "POST", keepsBody: true),
        RedirectCase(status: 308, method: "PUT", expectedMethod: "PUT", keepsBody: true),
    ])
    func redirectRewritesMethodAndBodyPerFetchStandard(_ redirect: RedirectCase) async throws {
        try await withServer({ request in
            request.target == "/start"
                ? .respond(status: redirect.status, headers: [("Location", "/end?hop=2")], body: Array("moved".utf8))
                : .text("\(request.method) \(request.text)")
        }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let response = try await fetcher.fetch(
                "\(server.origin)/start",
                method: redirect.method,
                headers: ["Content-Type": "text/plain", "X-Trace": "t1"],
                body: Body(text: "payload")
            )
            #expect(response.status == 200)
            #expect(try await response.text() == "\(redirect.expectedMethod) \(redirect.keepsBody ? "payload" : "")")

            let requests = server.requests
            try #require(requests.count == 2)
            #expect(requests[0].method == redirect.method)
            #expect(requests[0].text == "payload")
            #expect(requests[1].target == "/end?hop=2")
            #expect(requests[1].method == redirect.expectedMethod)
            #expect(requests[1].text == (redirect.keepsBody ? "payload" : ""))
            #expect(requests[1].values("content-type") == (redirect.keepsBody ? ["text/plain"] : []))
            #expect(requests[1].values("x-trace") == ["t1"])
        }
    }

    @Test func relativeLocationIsResolvedAgainstTheCurrentURL() async throws {
        try await withServer({ request in
            request.target.hasPrefix("/a/b/start") ? .respond(status: 302, headers: [("Location", "../c?q=1")], body: []) : .text(request.target)
        }) { server in
            let response = try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/a/b/start")
            #expect(try await response.text() == "/a/c?q=1")
        }
    }

    @Test func crossOriginRedirectDropsCredentialsSameOriginKeepsThem() async throws {
        try await withServer({ request in .text(request.values("authorization").joined()) }) { target in
            try await withServer({ request in
                switch request.target {
                case "/same": .respond(status: 307, headers: [("Location", "/landing")], body: [])
                case "/cross": .respond(status: 307, headers: [("Location", "\(target.origin)/landing")], body: [])
                default: .text(request.values("authorization").joined())
                }
            }) { origin in
                let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
                let headers: Headers = ["Authorization": "Bearer token-1", "Cookie": "sid=1", "X-Keep": "k"]
                let same = try await fetcher.fetch("\(origin.origin)/same", headers: headers)
                #expect(try await same.text() == "Bearer token-1")
                let cross = try await fetcher.fetch("\(origin.origin)/cross", headers: headers)
                #expect(try await cross.text() == "")
                let landed = try #require(target.requests.first)
                #expect(landed.values("authorization").isEmpty)
                #expect(landed.values("cookie").isEmpty)
                #expect(landed.values("x-keep") == ["k"])
            }
        }
    }

    @Test func redirectLoopFailsAfterTwentyHops() async throws {
        try await withServer({ _ in .respond(status: 302, headers: [("Location", "/again")], body: []) }) { server in
            let error = try await fetchError { try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/loop") }
            #expect(error.kind == .other)
            #expect(server.requests.count == 21)
        }
    }

    @Test func manualModeReturnsTheRedirectAndErrorModeFails() async throws {
        try await withServer({ _ in .respond(status: 301, headers: [("Location", "/next")], body: Array("moved".utf8)) }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let request = try Request(url: "\(server.origin)/old")
            let manual = try await fetcher.fetch(request, timeout: nil, redirect: .manual)
            #expect(manual.status == 301)
            #expect(manual.headers["location"] == "/next")
            #expect(try await manual.text() == "moved")

            let error = try await fetchError { try await fetcher.fetch(request, timeout: nil, redirect: .error) }
            #expect(error.kind == .other)
            #expect(server.requests.count == 2)
        }
    }

    @Test func redirectToANonHTTPSchemeIsAnInvalidURL() async throws {
        try await withServer({ _ in .respond(status: 302, headers: [("Location", "ftp://127.0.0.1/file")], body: []) }) { server in
            let error = try await fetchError { try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/") }
            #expect(error.kind == .invalidURL)
        }
    }

    // MARK: Transport errors

    @Test func serverThatNeverAnswersTimesOut() async throws {
        try await withServer({ _ in .hang }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let error = try await fetchError {
                try await fetcher.fetch(try Request(url: "\(server.origin)/slow"), timeout: .milliseconds(300))
            }
            #expect(error.kind == .timeout)
        }
    }

    @Test func defaultTimeoutComesFromTheInitializer() async throws {
        try await withServer({ _ in .hang }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .milliseconds(300))
            let error = try await fetchError { try await fetcher.fetch("\(server.origin)/slow") }
            #expect(error.kind == .timeout)
        }
    }

    @Test func refusedConnectionIsAConnectionError() async throws {
        // Bound but not listening: connecting is refused, and holding the socket keeps the port ours.
        let (socket, port) = try FetchTestServer.bindLoopback()
        defer { closeSocket(socket) }
        let error = try await fetchError { try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("http://127.0.0.1:\(port)/") }
        #expect(error.kind == .connection)
    }

    @Test func connectionClosedWithoutAnAnswerIsAConnectionError() async throws {
        try await withServer({ _ in .close }) { server in
            let error = try await fetchError { try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("\(server.origin)/") }
            #expect(error.kind == .connection)
        }
    }

    @Test(arguments: [URLError.Code.cannotFindHost, .dnsLookupFailed])
    func unresolvableHostIsADNSError(code: URLError.Code) {
        // A live lookup would query the machine's resolver, an address off this machine; the
        // classification of libcurl's resolver failures is what this project owns.
        let error = FetchError(transportError: URLError(code), summary: "GET http://nonexistent.invalid/")
        #expect(error.kind == .dns)
        #expect(error.message.contains("nonexistent.invalid"))
    }

    @Test(arguments: ["http://bad host/", "http:///no-host", "http://[::1/"])
    func malformedURLIsAnInvalidURL(url: String) async throws {
        let error = try await fetchError {
            // `Request(url:)` accepts the shape; the fetcher finds the URL unusable.
            try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch(try Request(url: url), timeout: nil)
        }
        #expect(error.kind == .invalidURL)
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "/relative", "not a url"])
    func nonHTTPURLIsAnInvalidURL(url: String) async throws {
        let error = try await fetchError { try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch(url) }
        #expect(error.kind == .invalidURL)
    }

    @Test func getWithABodyIsRefused() async throws {
        let error = try await fetchError {
            try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("http://127.0.0.1:9/", method: "GET", body: Body(text: "x"))
        }
        #expect(error.kind == .other)
    }

    @Test func errorMessagesLeaveOutFieldsBodiesQueryAndUserInfo() async throws {
        try await withServer({ _ in .hang }) { server in
            let request = try Request(
                url: "http://user:SECRET-PASS@127.0.0.1:\(server.port)/p?key=SECRET-QUERY",
                method: "POST",
                headers: ["Authorization": "Bearer SECRET-TOKEN"],
                body: Body(text: "SECRET-BODY")
            )
            let error = try await fetchError { try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch(request, timeout: .milliseconds(300)) }
            #expect(error.kind == .timeout)
            #expect(!error.description.contains("SECRET"))
            #expect(error.description.contains("POST http://127.0.0.1:\(server.port)/p"))
        }
    }

    @Test(.timeLimit(.minutes(1))) func cancellingTheCallerCancelsTheExchange() async throws {
        try await withServer({ _ in .hang }) { server in
            let fetcher = URLSessionFetcher(defaultTimeout: .testHangGuard)
            let task = Task { try await fetcher.fetch("\(server.origin)/slow") }
            // Cancel once the server holds the request, so the cancellation hits a running exchange.
            while server.requests.isEmpty { await Task.yield() }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
        }
    }

    // MARK: Set-Cookie splitting

    @Test(arguments: [
        ("a=1", ["a=1"]),
        ("a=1, b=2", ["a=1", "b=2"]),
        ("a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT, b=2; Path=/", ["a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "b=2; Path=/"]),
        ("a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT", ["a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT"]),
        ("a=x,y", ["a=x,y"]),
    ])
    func setCookieSplitting(combined: String, expected: [String]) {
        #expect(URLSessionResponseHeaders.splitSetCookie(combined) == expected)
    }
}
