import Drover
import DroverHTTP
import DroverTestSupport
import Foundation
import Glibc
import Testing

/// What an outside probe found: half-closed clients losing the end of their answer, idle
/// connections answered 408, deadlines a slow client could dodge, unbounded body memory and
/// connections, and the `Host` names answered. Each case on a real socket.
@Suite("HTTP server hardening")
struct HTTPHardeningTests {
    // MARK: - Half-closed clients (RFC 9112 §9.6)

    @Test(
        "a client that half-closes after its request and reads slowly still gets the whole answer",
        arguments: [3_000_000, 6_000_000]
    )
    func halfClosedClientGetsEverything(size: Int) async throws {
        let server = try TestServer.start()
        // The server's output drains in small steps, so it sees the client's end of stream while
        // the end of the answer is still queued.
        let (head, body) = try await Self.readSlowly(port: server.port, size: size) { client in client.shutdownWrite() }
        #expect(head.hasPrefix("HTTP/1.1 200"))
        #expect(head.lowercased().contains("content-length: \(size)"))
        #expect(body.count == size, "\(size - body.count) bytes missing")
        #expect(body == Array(TestServer.blob.prefix(size)))
        await server.stop()
    }

    @Test("a graceful shutdown lets an answer still being written reach a slow reader whole")
    func shutdownFinishesWritingAnAnswer() async throws {
        let server = try TestServer.start()
        let size = 3_000_000
        // Once the answer has begun to arrive, the server shuts down while the client reads on.
        let (_, body) = try await Self.readSlowly(port: server.port, size: size, afterFirstBytes: {
            Task { await server.server.shutdown(gracePeriod: .seconds(30)) }
        })
        #expect(body.count == size, "\(size - body.count) bytes missing")
    }

    /// Asks for `/bytes?n=size` on a connection with a 4 KiB receive buffer and reads its answer
    /// to the end of the stream, 16 KiB at a time with a pause between reads.
    /// - Parameters:
    ///   - afterSending: runs once the request is sent.
    ///   - afterFirstBytes: runs once the first bytes of the answer have arrived.
    /// - Returns: the head (status line and fields) and the body bytes.
    static func readSlowly(
        port: Int,
        size: Int,
        afterSending: @escaping @Sendable (RawHTTPClient) -> Void = { _ in },
        afterFirstBytes: @escaping @Sendable () -> Void = {}
    ) async throws -> (head: String, body: [UInt8]) {
        let received = try await onThread { () -> [UInt8] in
            let socket = try RawHTTPClient.makeSocket()
            var bufferSize: Int32 = 4096
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
            let client = try RawHTTPClient(socket: socket, port: port)
            try client.send("GET /bytes?n=\(size) HTTP/1.1\r\nHost: t\r\n\r\n")
            afterSending(client)
            var received = try client.readSome(16 * 1024)
            afterFirstBytes()
            while true {
                let part = try client.readSome(16 * 1024)
                if part.isEmpty { break }
                received += part
                usleep(200)
            }
            return received
        }
        let separator = Array("\r\n\r\n".utf8)
        let headEnd = try #require((0..<received.count).first { received[$0..<min($0 + 4, received.count)].elementsEqual(separator) })
        return (String(decoding: received[..<headEnd], as: UTF8.self), Array(received[(headEnd + 4)...]))
    }

    // MARK: - Idle connections

    @Test("an idle kept-alive connection is closed without an unsolicited answer")
    func idleConnectionClosesSilently() async throws {
        let server = try TestServer.start { $0.idleTimeout = .milliseconds(100) }
        let (first, closedQuietly) = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let first = try client.readResponse()
            // Nothing more arrives: the next read sees the end of the stream, not a 408.
            return (first, try client.isClosedByServer())
        }
        #expect(first.status == 200)
        #expect(closedQuietly)
        #expect(!server.logged("HTTP 408"))
        await server.stop()
    }

    // MARK: - Deadlines a client cannot dodge

    @Test("blank lines before a request do not restart the header clock")
    func blankLinesDoNotKeepAConnectionOpen() async throws {
        let server = try TestServer.start { $0.headerTimeout = .milliseconds(300) }
        let closed = try await onThread { () -> Bool in
            let client = try RawHTTPClient(port: server.port)
            // A first request, so the connection is a kept-alive one between requests.
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try client.readResponse()
            // A blank line every 50 ms for up to 5 s: each would have restarted a per-line clock.
            for _ in 0..<100 {
                if client.peekClosed() { return true }
                do { try client.send("\r\n") } catch { return true }
                usleep(50_000)
            }
            return client.peekClosed()
        }
        #expect(closed)
        await server.stop()
    }

    @Test("a partial request pipelined behind an answered one gets the header deadline, not the idle one")
    func pipelinedPartialHeadTimesOut() async throws {
        let server = try TestServer.start {
            $0.headerTimeout = .milliseconds(200)
            $0.idleTimeout = .seconds(60)
        }
        let (first, second) = try await onThread {
            let client = try RawHTTPClient(port: server.port, receiveTimeout: 10)
            try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hel")
            return (try client.readResponse(), try client.readResponse())
        }
        #expect(first.status == 200)
        #expect(second.status == 408)
        await server.stop()
    }

    @Test("a body trickled in below the minimum rate is answered 408")
    func trickledBodyTimesOut() async throws {
        let server = try TestServer.start {
            $0.bodyRateGracePeriod = .milliseconds(200)
            $0.minBodyBytesPerSecond = 240
        }
        let response = try await onThread { () -> RawHTTPClient.Response? in
            let client = try RawHTTPClient(port: server.port)
            try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
            // One byte every 50 ms (20 bytes/s), each well inside the 60 s stall timeout.
            for _ in 0..<100 {
                if client.peekClosed() { break }
                do { try client.send("x") } catch { break }
                usleep(50_000)
            }
            return try? client.readResponse()
        }
        #expect(response?.status == 408)
        #expect(server.logged("request body arriving slower than 240 bytes/s"))
        await server.stop()
    }

    // MARK: - Memory of buffered bodies

    @Test("bodies buffered across connections are capped: past the cap 503, then room again")
    func bufferedBodiesAreCapped() async throws {
        let server = try TestServer.start {
            $0.maxBodySize = 800
            $0.maxBufferedBodyBytes = 1000
        }
        let (refused, chunked, completed, later) = try await onThread {
            // A holds 800 bytes of budget with its body half sent.
            let holder = try RawHTTPClient(port: server.port)
            try holder.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 800\r\n\r\n" + String(repeating: "a", count: 400))
            usleep(100_000)
            // B declares 800 more: refused before a byte of its body is read.
            let second = try RawHTTPClient(port: server.port)
            try second.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 800\r\n\r\n")
            let refused = try second.readResponse()
            // C sends chunks until the budget runs out.
            let third = try RawHTTPClient(port: server.port)
            try third.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<4 { try? third.send("64\r\n" + String(repeating: "c", count: 100) + "\r\n") }
            let chunked = try third.readResponse()
            // A finishes; its budget comes back and D fits.
            try holder.send(String(repeating: "a", count: 400))
            let completed = try holder.readResponse()
            let fourth = try RawHTTPClient(port: server.port)
            try fourth.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 800\r\n\r\n" + String(repeating: "d", count: 800))
            return (refused, chunked, completed, try fourth.readResponse())
        }
        #expect(refused.status == 503)
        #expect(refused.header("retry-after") == "1")
        #expect(refused.header("connection") == "close")
        #expect(chunked.status == 503)
        #expect(completed.status == 200)
        #expect(completed.body.count == 800)
        #expect(later.status == 200)
        #expect(later.body == Array(repeating: UInt8(ascii: "d"), count: 800))
        #expect(server.logged("HTTP 503: request bodies in memory would pass 1000 bytes"))
        await server.stop()
    }

    @Test("the default body limit holds a KV value at its 25 MiB limit")
    func defaultBodyLimitFitsKV() {
        let configuration = HTTPServerConfiguration()
        #expect(configuration.maxBodySize >= 25 * 1024 * 1024 + 1024)
        #expect(configuration.maxBodySize < 100 * 1024 * 1024)
        #expect(configuration.maxBufferedBodyBytes >= configuration.maxBodySize)
    }

    // MARK: - Connections

    @Test("past the connection limit new connections wait until one closes")
    func connectionLimitHoldsNewConnections() async throws {
        let server = try TestServer.start {
            $0.maxConnections = 4
            $0.eventLoops = 1
        }
        let (waited, answered) = try await onThread { () -> (Bool, RawHTTPClient.Response) in
            var open = try (0..<4).map { _ in try RawHTTPClient(port: server.port) }
            for client in open {
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try client.readResponse()
            }
            // The kernel completes the handshake (backlog), but the server does not take it yet.
            let fifth = try RawHTTPClient(port: server.port, receiveTimeout: 1)
            try fifth.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
            let waited = (try? fifth.readResponse()) == nil
            open.removeFirst()  // closes one: the fifth is taken in its place
            return (waited, try fifth.readResponse())
        }
        #expect(waited)
        #expect(answered.status == 200)
        #expect(server.logged("4 connections are open, the limit"))
        await server.stop()
    }

    @Test("the derived connection limit leaves descriptors for everything else")
    func derivedConnectionLimit() {
        let configuration = HTTPServerConfiguration()
        #expect(configuration.effectiveMaxConnections(descriptorLimit: 64) == 32)
        #expect(configuration.effectiveMaxConnections(descriptorLimit: 1024) == 896)
        #expect(configuration.effectiveMaxConnections(descriptorLimit: 1 << 20) == 10_000)
        #expect(HTTPServerConfiguration(maxConnections: 7).effectiveMaxConnections(descriptorLimit: 64) == 7)
    }

    @Test("out of descriptors, the server pauses accepting instead of spinning, says so rarely, and recovers")
    func descriptorExhaustionDoesNotSpin() async throws {
        let helper = try #require(
            Self.benchmarksExecutable(),
            "the Benchmarks executable was not found next to the test bundle; build every product first (`swift build --build-tests` builds it)"
        )
        let process = try ChildProcess(helper.path, ["http-fd-pressure", "64"], output: .pipe, errors: .pipe)
        defer { process.signal(SIGTERM) }
        let output = try #require(process.output)
        let errors = try #require(process.errors)
        let portLine = try await onThread { () -> String in
            var line: [UInt8] = []
            while true {
                let byte = output.readData(ofLength: 1)
                if byte.isEmpty || byte.first == 0x0A { break }
                line.append(contentsOf: byte)
            }
            return String(decoding: line, as: UTF8.self)
        }
        let port = try #require(Int(portLine), "the helper printed \(portLine)")
        let (failures, after) = try await onThread { () -> (Int, RawHTTPClient.Response) in
            // Far more connections than the process has descriptors for, held for two seconds.
            var clients: [RawHTTPClient] = []
            for _ in 0..<120 { clients.append(try RawHTTPClient(port: port, receiveTimeout: 10)) }
            usleep(2_000_000)
            clients.removeAll()
            usleep(200_000)
            let probe = try RawHTTPClient(port: port, receiveTimeout: 10)
            try probe.send("GET /stats HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let stats = try probe.readResponse()
            return (Int(stats.text) ?? -1, stats)
        }
        process.signal(SIGTERM)
        process.waitUntilExit()
        let log = String(decoding: errors.readDataToEndOfFile(), as: UTF8.self)
        #expect(after.status == 200)
        // Spinning on a level-triggered listening socket failed accept(2) millions of times in
        // two seconds; pausing 50 ms, doubling to a second, fails a handful of times.
        #expect(failures >= 1, "the helper never ran out of descriptors")
        #expect(failures < 100, "accept failed \(failures) times")
        let reports = log.split(separator: "\n").filter { $0.contains("HTTP accept failed") }
        #expect(reports.count >= 1 && reports.count <= 2, "\(reports)")
        #expect(reports.first?.contains("Too many open files") == true)
    }

    // MARK: - Host

    @Test(
        "Host names: this machine's and the allowed ones are answered, others 403",
        arguments: [
            ("localhost", 200), ("LOCALHOST.", 200), ("app.localhost", 200), ("127.0.0.1", 200), ("127.9.9.9", 200),
            ("[::1]", 200), ("t", 200), ("t:8080", 200), ("api.dev.test", 200), ("dev.test", 200),
            ("evil.example", 403), ("localhost.evil.example", 403), ("10.0.0.1", 403), ("dev.test.evil", 403),
        ]
    )
    func hostNames(host: String, status: Int) async throws {
        let server = try TestServer.start { $0.allowedHosts = ["t", ".dev.test"] }
        let response = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            return try client.readResponse()
        }
        #expect(response.status == status)
        if status == 403 {
            #expect(response.text.contains("--allowed-host"))
            #expect(server.logged("HTTP 403: Host"))
        } else {
            #expect(response.text == "hello")
        }
        await server.stop()
    }

    @Test(
        "a malformed Host is 400 (RFC 9112 §3.2)",
        arguments: ["a b", "host@evil", "x:99999", "x:8o", "[zz]", "[::1", "a/b", "%zz", "h:1:2"]
    )
    func malformedHost(host: String) async throws {
        let server = try TestServer.start { $0.allowedHosts = ["*"] }
        let response = try await onThread {
            let client = try RawHTTPClient(port: server.port)
            try client.send("GET /hello HTTP/1.1\r\nHost: \(host)\r\n\r\n")
            return try client.readResponse()
        }
        #expect(response.status == 400)
        #expect(response.text.contains("invalid Host"))
        await server.stop()
    }

    @Test("bound to all interfaces, an IP address literal is answered but a foreign name is not")
    func nonLoopbackBind() {
        let policy = HostAllowlist(boundHost: "0.0.0.0", allowed: [])
        #expect(!policy.isLoopbackOnly)
        #expect(policy.allows("192.168.1.20:8787"))
        #expect(policy.allows("[fe80::1]"))
        #expect(policy.allows("localhost"))
        #expect(!policy.allows("rebind.evil.example"))
        let loopback = HostAllowlist(boundHost: "127.0.0.1", allowed: [])
        #expect(loopback.isLoopbackOnly)
        #expect(!loopback.allows("192.168.1.20"))
        #expect(HostAllowlist(boundHost: "::1", allowed: []).isLoopbackOnly)
        #expect(HostAllowlist(boundHost: "localhost", allowed: []).isLoopbackOnly)
        #expect(HostAllowlist(boundHost: "127.0.0.1", allowed: ["*"]).allows("anything.example"))
    }

    /// The `Benchmarks` executable beside the test bundle (it carries the test helpers).
    static func benchmarksExecutable() -> URL? {
        let folders = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for folder in folders {
            var current = folder
            for _ in 0..<4 {
                let binary = current.appendingPathComponent("Benchmarks")
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
                current = current.deletingLastPathComponent()
            }
        }
        return nil
    }
}
