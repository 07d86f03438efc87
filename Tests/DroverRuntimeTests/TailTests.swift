import Drover
import DroverTestSupport
import Foundation
import Testing

@testable import DroverRuntime

#if canImport(Glibc)
import Glibc
#endif

/// `drover tail` (the built binary) against `drover dev` (the built binary): events, filters,
/// several tails, and a tail that stops reading.
@Suite struct TailTests {
    /// Starts `drover tail` with `arguments` against `port`, its standard output piped.
    static func tail(port: Int, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(try DroverProcessTests.binary(), ["tail", "--port", String(port), "--format", "json"] + arguments, output: .pipe, errors: .pipe)
    }

    /// Everything `process` wrote to standard output until it exited, as JSON events.
    static func events(of process: ChildProcess) async throws -> [JSONValue] {
        let data = process.output?.readDataToEndOfFile() ?? Data()
        _ = await process.exit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }

    @Test("two tails with their own filters see the requests and log lines they asked for, and end when the server stops")
    func filters() async throws {
        let project = try PlaygroundProject.make()
        let dev = try DroverProcessTests.dev(project)
        let port = try await dev.readyPort()
        let everything = try Self.tail(port: port, [])
        let posts = try Self.tail(port: port, ["--method", "POST"])
        let errors = try Self.tail(port: port, ["--status", "error"])
        // Wait until all three are connected (the health route counts the tails).
        try await eventually("the tails to connect", limit: .seconds(60)) {
            try await httpRequest(port: port, "GET", "/__drover/health").json()["tails"] == 3
        }
        #expect(try await httpRequest(port: port, "GET", "/env").status == 200)
        #expect(try await httpRequest(port: port, "POST", "/queue/send", body: #"{"body": {"n": 1}}"#).status == 202)
        #expect(try await httpRequest(port: port, "POST", "/d1/query", body: #"{"sql": "SELECT nope FROM nowhere", "params": []}"#).status >= 400)
        // A message whose consumer throws: an error-level log line, for the errors-only tail.
        #expect(try await httpRequest(port: port, "POST", "/queue/send", body: #"{"body": {"action": "throw"}}"#).status == 202)
        try await eventually("the consumer's error to be logged", limit: .seconds(60)) {
            dev.errors.contains("Uncaught error in queue handler")
        }
        try await Task.sleep(for: .milliseconds(300))
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))

        let all = try await Self.events(of: everything)
        let requests = all.filter { $0["type"] == "request" }
        let urls = requests.compactMap { $0["url"]?.stringValue }
        #expect(urls.contains("/env"))
        #expect(urls.contains("/queue/send"))
        #expect(requests.allSatisfy { $0["worker"] == "playground" && $0["trace"]?.stringValue?.count == 32 })
        let onlyPosts = try await Self.events(of: posts).filter { $0["type"] == "request" }
        #expect(!onlyPosts.isEmpty)
        #expect(onlyPosts.allSatisfy { $0["method"] == "POST" })
        let onlyErrors = try await Self.events(of: errors)
        #expect(onlyErrors.contains { $0["type"] == "log" && $0["message"]?.stringValue?.contains("Uncaught error in queue handler") == true })
        #expect(!onlyErrors.contains { $0["type"] == "request" && $0["url"] == "/env" })
        #expect(onlyErrors.allSatisfy { $0["type"] == "log" ? ["error", "critical"].contains($0["level"]?.stringValue ?? "") : $0["outcome"] == "error" })
    }

    @Test("a tail that stops reading does not hold the server up: every request is answered while its connection is full")
    func stalledTail() async throws {
        let project = try PlaygroundProject.make()
        let dev = try DroverProcessTests.dev(project)
        let port = try await dev.readyPort()
        let stalled = try TailProbe(port: port)
        #expect(stalled.connected)
        for _ in 0..<2_000 {
            #expect(try await httpRequest(port: port, "GET", "/env").status == 200)
        }
        #expect(try await httpRequest(port: port, "GET", "/__drover/health").json()["tails"] == 1)
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
    }

    @Test("a secret's value never reaches the log or a tail, whatever carries it (here, a query string); --log-json lines name the worker")
    func secretsRedacted() async throws {
        let project = try PlaygroundProject.make()
        try project.write(".dev.vars", "API_TOKEN=\"tok_do_not_print_1234\"\n")
        let dev = try DroverProcessTests.DevProcess(
            arguments: ["dev", "--port", "0", "--config", project.configPath, "--persist-to", project.statePath, "--log-json"],
            directory: project.path)
        let port = try await dev.readyPort()
        let tail = try Self.tail(port: port, [])
        try await eventually("the tail to connect", limit: .seconds(60)) {
            try await httpRequest(port: port, "GET", "/__drover/health").json()["tails"] == 1
        }
        #expect(try await httpRequest(port: port, "GET", "/env?token=tok_do_not_print_1234").status == 200)
        try await Task.sleep(for: .milliseconds(200))
        dev.signal(SIGINT)
        #expect(await dev.exitStatus() == .exited(0))
        let events = try await Self.events(of: tail)
        let request = try #require(events.first { $0["type"] == "request" })
        #expect(request["url"] == "/env?token=[secret API_TOKEN]")
        #expect(!dev.errors.contains("tok_do_not_print_1234"))
        let line = try #require(dev.errors.split(separator: "\n").first { $0.contains("GET /env") }.map { try JSONParser.parse(String($0)) })
        #expect(line["message"]?.stringValue?.contains("[secret API_TOKEN]") == true)
        #expect(line["worker"] == "playground")
        #expect(line["trace_id"]?.stringValue?.count == 32)
    }

    @Test("the hub never waits for a tail: past its buffer, events are dropped and counted, and the count comes before the next event")
    func dropsAndCounts() async throws {
        let hub = TailHub()
        let stream = hub.subscribe(TailHub.Filter())
        let request = Request(method: "GET", target: "/x")
        let trace = TraceContext.start(using: TraceIDGenerator(seed: 1))
        for _ in 0..<(TailHub.bufferSize + 250) {
            hub.publish(.request(request, status: 200, milliseconds: 1, worker: "w", version: nil, trace: trace, at: Date()))
        }
        var lines: [String] = []
        var iterator = stream.makeAsyncIterator()
        // The connected line and the events that fitted.
        for _ in 0..<TailHub.bufferSize {
            guard let bytes = try await iterator.next() else { break }
            lines.append(String(decoding: bytes, as: UTF8.self))
        }
        #expect(lines.first == "{\"type\":\"connected\"}\n")
        hub.publish(.request(request, status: 503, milliseconds: 1, worker: "w", version: nil, trace: trace, at: Date()))
        let notice = try await iterator.next().map { String(decoding: $0, as: UTF8.self) }
        #expect(notice == "{\"type\":\"dropped\",\"count\":251}\n")
        let next = try await iterator.next().map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(next.contains("\"status\":503"))
        hub.finish()
        #expect(try await iterator.next() == nil)
    }

    @Test("once every tail is behind, events are not built (only counted) until a write is due again; the count covers them")
    func stalledTailsCostNoEvents() async throws {
        let hub = TailHub()
        #expect(!hub.wantsEvents)
        let stream = hub.subscribe(TailHub.Filter())
        #expect(hub.wantsEvents)
        let request = Request(method: "GET", target: "/x")
        let trace = TraceContext.start(using: TraceIDGenerator(seed: 1))
        func event(_ status: Int) -> TailEvent {
            .request(request, status: status, milliseconds: 1, worker: "w", version: nil, trace: trace, at: Date())
        }
        // The connected line takes one place: the last of these is dropped, and the tail is behind.
        for _ in 0..<TailHub.bufferSize { hub.publish(event(200)) }
        #expect(!hub.wantsEvents)
        for _ in 0..<100 { hub.skip() }
        var iterator = stream.makeAsyncIterator()
        for _ in 0..<TailHub.bufferSize { _ = try await iterator.next() }
        // A write is tried again once the quiet interval has passed (a wait, not a timing check).
        try await eventually("the hub to want events again") { hub.wantsEvents }
        hub.publish(event(503))
        let notice = try await iterator.next().map { String(decoding: $0, as: UTF8.self) }
        #expect(notice == "{\"type\":\"dropped\",\"count\":101}\n")
        let next = try await iterator.next().map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(next.contains("\"status\":503"))
        #expect(hub.wantsEvents)
        hub.finish()
    }

    @Test("filters: status, method, search and sampling", arguments: [
        ("status=error", 1), ("method=POST", 1), ("search=%2Fb", 1), ("sampling=0", 0), ("status=ok&method=GET", 1), ("", 2),
    ])
    func hubFilters(query: String, kept: Int) async throws {
        let filter = TailHub.Filter(query: QueryParameters(query))
        let trace = TraceContext.start(using: TraceIDGenerator(seed: 1))
        let events: [TailEvent] = [
            .request(Request(method: "GET", target: "/a"), status: 200, milliseconds: 1, worker: "w", version: nil, trace: trace, at: Date()),
            .request(Request(method: "POST", target: "/b"), status: 500, milliseconds: 1, worker: "w", version: nil, trace: trace, at: Date()),
        ]
        #expect(events.filter(filter.keeps).count == kept)
    }
}

/// A raw connection to `/__drover/tail` (or another streaming route: the dashboard's server-sent
/// events) that reads only when told to.
final class TailProbe: @unchecked Sendable {
    // Unchecked: used by one caller at a time.
    private let fd: Int32
    /// Whether the server answered 200 and the first event.
    private(set) var connected = false

    init(port: Int, path: String = "/__drover/tail", connectedMarker: String = "\"type\":\"connected\"") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError(description: "socket() failed") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // A small receive buffer, so that the server's side fills soon.
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw RawHTTPError(description: "connect failed")
        }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
        _ = request.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        connected = readUntil(connectedMarker, limit: 64 * 1024).contains(connectedMarker)
    }

    deinit { close(fd) }

    /// Reads until `marker` appears, `limit` bytes were read, or a read times out.
    func readUntil(_ marker: String, limit: Int) -> String {
        var collected: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while collected.count < limit {
            let got = chunk.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress, $0.count, 0) }
            guard got > 0 else { break }
            collected.append(contentsOf: chunk[..<got])
            // Only the new bytes and a little before them need checking.
            let tail = String(decoding: collected.suffix(got + marker.utf8.count), as: UTF8.self)
            if tail.contains(marker) { break }
        }
        return String(decoding: collected, as: UTF8.self)
    }
}
