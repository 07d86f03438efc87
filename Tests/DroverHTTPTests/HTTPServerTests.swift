import Drover
import DroverHTTP
import Foundation
import Glibc
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server on real sockets: URLSession for well-formed requests, a raw socket for the rest.
@Suite("HTTPServer")
struct HTTPServerTests {
    private func get(
        _ port: Int,
        _ path: String,
        method: String = "GET",
        body: Data? = nil,
        headers: [String: String] = [:]
    )
        async throws -> (Data, HTTPURLResponse)
    {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        return (data, try #require(response as? HTTPURLResponse))
    }

    // MARK: - Well-formed requests (URLSession)

    @Test("GET answers with Content-Length and Date")
    func hello() async throws {
        let server = try TestServer.start()
        let (data, response) = try await get(server.port, "/hello")
        #expect(response.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self) == "hello")
        #expect(response.value(forHTTPHeaderField: "Content-Length") == "5")
        let date = try #require(response.value(forHTTPHeaderField: "Date"))
        #expect(date.hasSuffix(" GMT"))
        await server.stop()
    }

    @Test("POST body comes back (echo)")
    func echo() async throws {
        let server = try TestServer.start()
        let payload = Data(#"{"a":[1,2,3]}"#.utf8)
        let (data, response) = try await get(
            server.port,
            "/echo",
            method: "POST",
            body: payload,
            headers: ["Content-Type": "application/json"]
        )
        #expect(response.statusCode == 200)
        #expect(data == payload)
        #expect(response.value(forHTTPHeaderField: "Content-Type") == "application/json")
        await server.stop()
    }

    @Test("the request carries method, scheme, authority from Host, and target")
    func requestParts() async throws {
        let server = try TestServer.start()
        let (data, _) = try await get(server.port, "/request?x=1")
        #expect(String(decoding: data, as: UTF8.self) == "GET http://127.0.0.1:\(server.port)/request?x=1 host=127.0.0.1:\(server.port)")
        await server.stop()
    }

    @Test("a streamed body is sent chunked")
    func streamedResponse() async throws {
        let server = try TestServer.start()
        let (data, response) = try await get(server.port, "/stream")
        #expect(String(decoding: data, as: UTF8.self) == "abc")
        #expect(response.value(forHTTPHeaderField: "Transfer-Encoding")?.lowercased() == "chunked")
        let raw = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
            return try client.readResponse()
        }
        #expect(raw.header("transfer-encoding") == "chunked")
        #expect(raw.header("content-length") == nil)
        #expect(raw.text == "abc")
        await server.stop()
    }

    @Test("a large stream to a client that reads late arrives whole and in order (backpressure)")
    func largeStream() async throws {
        let server = try TestServer.start()
        let (body, next) = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            return (try client.readResponse().body, try client.readResponse().text)
        }
        #expect(body.count == 128 * 64 * 1024)
        let chunk = 64 * 1024
        var inOrder = true
        for index in 0..<128 {
            let expected = UInt8(index)
            if body[index * chunk] != expected || body[index * chunk + chunk - 1] != expected { inOrder = false }
        }
        #expect(inOrder)
        #expect(next == "hello")
        await server.stop()
    }

    @Test("a throwing handler is a 500 and the server keeps serving")
    func throwingHandler() async throws {
        let server = try TestServer.start()
        let (_, failed) = try await get(server.port, "/throw")
        #expect(failed.statusCode == 500)
        let (data, ok) = try await get(server.port, "/hello")
        #expect(ok.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self) == "hello")
        #expect(server.logged("answering 500"))
        await server.stop()
    }

    @Test("HEAD has the length but no body; the next response on the connection is intact")
    func head() async throws {
        let server = try TestServer.start()
        let (data, response) = try await get(server.port, "/hello", method: "HEAD")
        #expect(response.statusCode == 200)
        #expect(data.isEmpty)
        let responses = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            return [try client.readResponse(head: true), try client.readResponse()]
        }
        #expect(responses[0].header("content-length") == "5")
        #expect(responses[1].text == "hello")
        await server.stop()
    }

    @Test("204 has neither body nor Content-Length")
    func noContent() async throws {
        let server = try TestServer.start()
        let response = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /no-content HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let first = try client.readResponse()
            #expect(try client.readResponse().text == "hello")
            return first
        }
        #expect(response.status == 204)
        #expect(response.header("content-length") == nil)
        await server.stop()
    }

    // MARK: - Connection handling (raw socket)

    @Test("pipelined requests are answered in order")
    func pipelining() async throws {
        let server = try TestServer.start()
        let bodies = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            var batch = ""
            for index in 0..<20 {
                let body = "request-\(index)"
                batch += "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            }
            batch += "GET /stream HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
            try client.send(batch)
            return try (0..<22).map { _ in try client.readResponse().text }
        }
        #expect(bodies == (0..<20).map { "request-\($0)" } + ["abc", "hello"])
        await server.stop()
    }

    @Test("Connection: close closes after the response")
    func connectionClose() async throws {
        let server = try TestServer.start()
        let (response, closed) = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            return (try client.readResponse(), try client.isClosedByServer())
        }
        #expect(response.header("connection") == "close")
        #expect(closed)
        await server.stop()
    }

    @Test("HTTP/1.0 keeps the connection only when asked")
    func http10() async throws {
        let server = try TestServer.start()
        let (plain, plainClosed, kept) = try await onThread {
            let first = try RawHTTPClient(port: server.port)
            try first.send("GET /hello HTTP/1.0\r\n\r\n")
            let plain = try first.readResponse()
            let closed = try first.isClosedByServer()
            let second = try RawHTTPClient(port: server.port)
            try second.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            _ = try second.readResponse()
            return (plain, closed, try second.readResponse())
        }
        #expect(plain.text == "hello")
        #expect(plainClosed)
        #expect(kept.header("connection") == "keep-alive")
        await server.stop()
    }

    @Test("Expect: 100-continue gets 100 before the body is sent")
    func expectContinue() async throws {
        let server = try TestServer.start()
        let (interim, final) = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
            let interim = try client.readResponse()
            try client.send("12345")
            return (interim, try client.readResponse())
        }
        #expect(interim.status == 100)
        #expect(final.status == 200)
        #expect(final.text == "12345")
        await server.stop()
    }

    @Test("a chunked request body arrives whole")
    func chunkedRequest() async throws {
        let server = try TestServer.start()
        let response = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n")
            try client.send("5;ext=1\r\npedia\r\n")
            try client.send("0\r\nX-Trailer: ok\r\n\r\n")
            return try client.readResponse()
        }
        #expect(response.text == "Wikipedia")
        await server.stop()
    }

    @Test("a client that disconnects mid-body does not disturb the server")
    func disconnectMidBody() async throws {
        let server = try TestServer.start()
        let after = try await onThread {
            do {
                let client = try RawHTTPClient(port: server.port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nonly a few bytes")
            }
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            return try client.readResponse()
        }
        #expect(after.text == "hello")
        await server.stop()
    }

    @Test("1000 concurrent connections on one server")
    func manyConnections() async throws {
        Self.raiseFileLimit(to: 4096)
        let server = try TestServer.start()
        let statuses = try await onThread {
            let clients = try (0..<1000).map { _ in try RawHTTPClient(port: server.port) }
            for (index, client) in clients.enumerated() {
                try client.send("GET /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(String(index).utf8.count)\r\n\r\n\(index)")
            }
            return try clients.enumerated().map { index, client in
                let response = try client.readResponse()
                return response.status == 200 && response.text == String(index)
            }
        }
        #expect(statuses.count == 1000)
        #expect(statuses.allSatisfy { $0 })
        await server.stop()
    }

    // MARK: - Limits

    @Test("a request line over 8 KiB is 414, logged")
    func uriTooLong() async throws {
        let server = try TestServer.start()
        let response = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /" + String(repeating: "a", count: 9 * 1024) + " HTTP/1.1\r\nHost: t\r\n\r\n")
            return try client.readResponse()
        }
        #expect(response.status == 414)
        #expect(response.header("connection") == "close")
        #expect(server.logged("HTTP 414"))
        await server.stop()
    }

    @Test("more than 100 fields is 431; more than 64 KiB of header is 431")
    func headerLimits() async throws {
        let server = try TestServer.start()
        let (count, size) = try await onThread {
            let first = try RawHTTPClient(port: server.port)
            try first.send("GET /hello HTTP/1.1\r\nHost: t\r\n" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n")
            let second = try RawHTTPClient(port: server.port)
            try second.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 65 * 1024) + "\r\n\r\n")
            return (try first.readResponse(), try second.readResponse())
        }
        #expect(count.status == 431)
        #expect(size.status == 431)
        #expect(server.logged("more than 100 header fields"))
        #expect(server.logged("header section larger than 65536 bytes"))
        await server.stop()
    }

    @Test("a body over the configured limit is 413, declared or chunked")
    func bodyTooLarge() async throws {
        let server = try TestServer.start { $0.maxBodySize = 1024 }
        let (declared, chunked, fits) = try await onThread {
            let first = try RawHTTPClient(port: server.port)
            try first.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n")
            let declared = try first.readResponse()
            let second = try RawHTTPClient(port: server.port)
            try second.send(
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + String(repeating: "x", count: 1024)
                    + "\r\n1\r\nx\r\n0\r\n\r\n"
            )
            let chunked = try second.readResponse()
            let third = try RawHTTPClient(port: server.port)
            try third.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1024\r\n\r\n" + String(repeating: "y", count: 1024))
            return (declared, chunked, try third.readResponse())
        }
        #expect(declared.status == 413)
        #expect(chunked.status == 413)
        #expect(fits.status == 200)
        #expect(fits.body.count == 1024)
        #expect(server.logged("HTTP 413"))
        await server.stop()
    }

    @Test("no complete header in time is 408, then close")
    func headerTimeout() async throws {
        let server = try TestServer.start { $0.headerTimeout = .milliseconds(100) }
        let (response, closed) = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n")
            return (try client.readResponse(), try client.isClosedByServer())
        }
        #expect(response.status == 408)
        #expect(closed)
        #expect(server.logged("HTTP 408"))
        await server.stop()
    }

    @Test(
        "smuggling attempts are 400 and the connection closes",
        arguments: [
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            "GET /hello HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n",
            "GET /hello HTTP/1.1\nHost: t\n\n",
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
            "GET /hello HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n",
        ]
    )
    func smuggling(request: String) async throws {
        let server = try TestServer.start()
        let (response, closed) = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send(request + "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            return (try client.readResponse(), try client.isClosedByServer())
        }
        #expect(response.status == 400)
        #expect(response.header("connection") == "close")
        #expect(closed)
        await server.stop()
    }

    @Test("a bad request pipelined behind a good one: the good one is answered, then 400 and close")
    func badRequestAfterGoodOne() async throws {
        let server = try TestServer.start()
        let (first, second, closed) = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n")
            return (try client.readResponse(), try client.readResponse(), try client.isClosedByServer())
        }
        #expect(first.text == "hello")
        #expect(second.status == 400)
        #expect(closed)
        #expect(server.logged("obsolete line folding"))
        await server.stop()
    }

    // MARK: - Lifecycle

    @Test("a second server on the same port fails clearly")
    func portInUse() async throws {
        let server = try TestServer.start()
        let second = HTTPServer(
            configuration: HTTPServerConfiguration(port: server.port, eventLoops: 1),
            logger: .disabled
        ) { _ in Response("x") }
        #expect {
            try second.start()
        } throws: { error in
            "\(error)".contains("already in use")
        }
        await server.stop()
    }

    /// A process that forks (to spawn a child) holds a copy of every descriptor until the child
    /// execs. A connection the server closes in that window stays in epoll's interest list, and its
    /// peer's later FIN is reported under the old descriptor number, which by then may be the next
    /// connection's. Here the copy is made by hand with `dup`.
    @Test("a closed connection whose socket is still held elsewhere does not disturb the next one on its number")
    func staleEventsOfAHeldSocket() async throws {
        let server = try TestServer.start {
            $0.eventLoops = 1
            $0.lingerTimeout = .milliseconds(20)  // the first client never closes: the server gives up on it
        }
        let port = server.port
        let answer = try await onThread { () -> RawHTTPClient.Response? in
            // The server's next connection takes the lowest free number, unless another test's
            // thread takes it first: then try again.
            for _ in 0..<20 {
                let first = try RawHTTPClient(port: port)
                try first.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try first.readResponse()
                let serverSide = try #require(Self.serverDescriptor(port: port, peerPort: first.localPort))
                let inode = Self.inode(of: serverSide)
                let held = dup(serverSide)
                defer { Glibc.close(held) }
                // The second client's socket exists before the server frees the number.
                let unconnected = try RawHTTPClient.makeSocket()
                var second: RawHTTPClient?
                defer { if second == nil { Glibc.close(unconnected) } }
                try first.send("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                _ = try first.readResponse()
                try Self.waitUntil("the server closes its descriptor") { Self.inode(of: serverSide) != inode }
                second = try RawHTTPClient(socket: unconnected, port: port)
                var accepted: Int32?
                try Self.waitUntil("the server accepts") {
                    accepted = Self.serverDescriptor(port: port, peerPort: second!.localPort)
                    return accepted != nil
                }
                guard accepted == serverSide, let second else { continue }
                // The first client's FIN reaches the held socket, still registered under that number.
                first.shutdown()
                try second.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                return try second.readResponse()
            }
            return nil
        }
        let response = try #require(answer, "the server's connections never reused the closed number")
        #expect(response.status == 200)
        #expect(response.text == "hello")
        await server.stop()
    }

    @Test("graceful shutdown lets the request in flight finish, then stops accepting")
    func gracefulShutdown() async throws {
        let (startedStream, started) = AsyncStream<Void>.makeStream()
        let (releaseStream, release) = AsyncStream<Void>.makeStream()
        let server = try TestServer.start { _ in
        } responder: { _ in
            started.yield()
            for await _ in releaseStream { break }
            return Response("finished")
        }
        let port = server.port
        async let response = onThread {
            let client = try RawHTTPClient(port: port)
            try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            return try client.readResponse()
        }
        for await _ in startedStream { break }
        await server.server.stopAccepting()
        async let drained = server.server.shutdown(gracePeriod: .seconds(60))
        release.yield()
        let answer = try await response
        #expect(answer.status == 200)
        #expect(answer.text == "finished")
        #expect(answer.header("connection") == "close")
        #expect(await drained)
        #expect(throws: RawHTTPClient.Failure.self) {
            _ = try RawHTTPClient(port: port)
        }
    }

    /// The server's descriptor (in this process) of the connection from `peerPort`.
    private static func serverDescriptor(port: Int, peerPort: Int) -> Int32? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in names.compactMap(Int32.init) {
            guard socketPort(fd, getsockname) == port, socketPort(fd, getpeername) == peerPort else { continue }
            return fd
        }
        return nil
    }

    /// Polls `condition` every millisecond; throws after 10 s.
    private static func waitUntil(_ what: String, _ condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw RawHTTPClient.Failure(description: "gave up waiting until \(what)") }
            usleep(1000)
        }
    }

    /// The inode of what `fd` refers to, nil when it is closed.
    private static func inode(of fd: Int32) -> UInt? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return UInt(info.st_ino)
    }

    private static func raiseFileLimit(to wanted: rlim_t) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
