import Drover
import DroverConfig
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `drover tail`: a running `drover dev`'s requests and log lines as they happen, from another
/// terminal, like `wrangler tail` (`/__drover/tail`, Docs/dev-server.md).
enum TailCommand {
    static let spec = CommandSpec(
        path: ["tail"],
        summary: "Stream a running drover dev's requests and log lines (like wrangler tail)",
        options: [
            .value("config", short: "c", "FILE", "The config whose [dev] port to connect to", default: "wrangler-like.toml"),
            .value("port", "PORT", "The dev server's port", default: "[dev] port, else 8787"),
            .value("ip", "ADDRESS", "The dev server's address", default: "127.0.0.1"),
            .value("format", "json|pretty", "json: one event per line as the server sends it; pretty: for reading", default: "pretty on a terminal, else json"),
            .value("status", "ok|error", "Only requests with this outcome (error: a 5xx) and log lines of this level (repeatable)"),
            .value("method", "METHOD", "Only requests with this method (repeatable; log lines are kept)"),
            .value("search", "TEXT", "Only events whose JSON contains TEXT"),
            .value("sampling-rate", "RATE", "Keep this share of the events, from 0 to 1", default: "1"),
        ],
        discussion: """
            Several tails may follow one server, each with its own filters (applied by the server). A tail
            that reads more slowly than events come is never waited for: the server drops what does not fit
            in its buffer and says so in the stream ({"type": "dropped", "count": N}).
            The stream ends when the server stops; Ctrl-C ends the tail.

            Events (JSON lines):
              {"type": "request", "timestamp", "worker", "version", "trace", "method", "url", "status", "outcome", "durationMs"}
              {"type": "log", "timestamp", "level", "label", "message", "worker", "version", "trace"}
              {"type": "queue", "timestamp", "worker", "version", "trace", "queue", "messages", "outcome"}
              {"type": "scheduled", "timestamp", "worker", "version", "trace", "cron", "outcome"}

            Examples:
              drover tail
              drover tail --status error --format json
              drover tail --method POST --search /webhooks
            """,
        run: run
    )

    static func run(_ arguments: ParsedArguments, _ context: CLIContext) async throws -> Int32 {
        let configPath = context.resolve(arguments.value("config") ?? "wrangler-like.toml")
        var port = try arguments.integer("port")
        if port == nil, FileManager.default.fileExists(atPath: configPath) {
            port = try ConfigLoader.load(configPath: configPath).config.dev.port
        }
        let target = (host: arguments.value("ip") ?? "127.0.0.1", port: port ?? 8787)
        guard (1...65535).contains(target.port) else { throw UsageError("--port must be between 1 and 65535") }
        let format = arguments.value("format") ?? (isatty(STDOUT_FILENO) == 1 ? "pretty" : "json")
        guard format == "json" || format == "pretty" else { throw UsageError("--format must be json or pretty") }
        var query: [(String, String)] = []
        for status in arguments.values["status"] ?? [] {
            guard status == "ok" || status == "error" else { throw UsageError("--status must be ok or error, got \"\(status)\"") }
            query.append(("status", status))
        }
        for method in arguments.values["method"] ?? [] { query.append(("method", method.uppercased())) }
        if let search = arguments.value("search") { query.append(("search", search)) }
        if let rate = arguments.value("sampling-rate") {
            guard let value = Double(rate), (0...1).contains(value) else { throw UsageError("--sampling-rate must be a number from 0 to 1") }
            query.append(("sampling", rate))
        }
        let path = "/__drover/tail" + (query.isEmpty ? "" : "?" + query.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&"))

        let stream = try TailConnection(host: target.host, port: target.port, path: path)
        context.printError("Tailing http://\(target.host):\(target.port) (Ctrl-C to stop)")
        let ended: String = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let reason = stream.readLines { line in
                    if format == "json" {
                        if !line.hasPrefix("{\"type\":\"connected\"") && !line.hasPrefix("{\"type\":\"heartbeat\"") { context.print(line) }
                    } else if let rendered = pretty(line) {
                        context.print(rendered)
                    }
                }
                continuation.resume(returning: reason)
            }
        }
        context.printError(ended)
        return DroverCommandLine.success
    }

    /// An event for reading: `10:00:01 GET /api/me 200 (0.41 ms) v3 trace=…`, a log line indented
    /// under it, a note for dropped events; nil for what is not shown.
    static func pretty(_ line: String) -> String? {
        guard let event = try? JSONParser.parse(line) else { return line }
        let time = event["timestamp"]?.stringValue.map { String($0.dropFirst(11).prefix(12)) } ?? ""
        let version = event["version"]?.stringValue.map { " v\($0)" } ?? ""
        let trace = event["trace"]?.stringValue.map { " trace=\($0.prefix(8))" } ?? ""
        switch event["type"]?.stringValue {
        case "request":
            let method = event["method"]?.stringValue ?? ""
            let url = event["url"]?.stringValue ?? ""
            let status = event["status"]?.integerValue.map(String.init) ?? ""
            let duration = event["durationMs"]?.doubleValue.map { String(format: "%.2f ms", $0) } ?? ""
            let mark = event["outcome"]?.stringValue == "error" ? " ✗" : ""
            return "\(time) \(method) \(url) \(status)\(mark) (\(duration))\(version)\(trace)"
        case "log":
            let level = event["level"]?.stringValue ?? "info"
            return "\(time)   [\(level)] \(event["message"]?.stringValue ?? "")\(version)\(trace)"
        case "queue":
            let mark = event["outcome"]?.stringValue == "error" ? " ✗ (the handler threw)" : ""
            let count = event["messages"]?.integerValue ?? 0
            return "\(time) QUEUE \(event["queue"]?.stringValue ?? "") \(count) message\(count == 1 ? "" : "s")\(mark)\(version)\(trace)"
        case "scheduled":
            return "\(time) CRON \"\(event["cron"]?.stringValue ?? "")\" \(event["outcome"]?.stringValue ?? "")\(version)\(trace)"
        case "dropped":
            return "(\(event["count"]?.integerValue ?? 0) events dropped: this tail read too slowly)"
        case "connected", "heartbeat":
            return nil
        default:
            return line
        }
    }
}

/// One `GET` of a dev server's tail route over a plain socket, read as chunked JSON lines.
final class TailConnection: @unchecked Sendable {
    // Unchecked: the descriptor is used by one thread at a time (the reading loop).
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(host: String, port: Int, path: String) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, info != nil else {
            throw CLIError("cannot resolve \(host)")
        }
        defer { freeaddrinfo(info) }
        // Each address of the name in turn (`localhost` may be ::1 first, the server on 127.0.0.1).
        var connected: Int32 = -1
        var reason = "no address"
        var candidate = info
        while let address = candidate, connected < 0 {
            let attempt = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if attempt >= 0, connect(attempt, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                connected = attempt
            } else {
                reason = String(cString: strerror(errno))
                if attempt >= 0 { close(attempt) }
            }
            candidate = address.pointee.ai_next
        }
        guard connected >= 0 else { throw CLIError("cannot reach a drover dev on \(host):\(port) (\(reason)); is it running?") }
        fd = connected
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nAccept: application/x-ndjson\r\nUser-Agent: drover-tail\r\n\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBufferPointer({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            close(fd)
            throw CLIError("cannot send the request to \(host):\(port)")
        }
        guard let head = readHead() else {
            close(fd)
            throw CLIError("\(host):\(port) closed the connection without an answer")
        }
        guard head.hasPrefix("HTTP/1.1 200") else {
            close(fd)
            let status = head.split(separator: "\r\n").first.map(String.init) ?? head
            throw CLIError("\(host):\(port) answered \(status): is it a drover dev (drover tail needs a recent one)?")
        }
    }

    deinit { close(fd) }

    /// Reads the chunked body, calling `onLine` for each line, until the server ends it.
    /// - Returns: why it ended, for the user.
    func readLines(_ onLine: (String) -> Void) -> String {
        var line: [UInt8] = []
        while true {
            guard let sizeLine = readLine(), let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                return "The connection was lost."
            }
            if size == 0 { return "The server stopped." }
            guard let chunk = read(count: size), readLine() != nil else { return "The connection was lost." }
            for byte in chunk {
                if byte == 0x0A {
                    onLine(String(decoding: line, as: UTF8.self))
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(byte)
                }
            }
        }
    }

    /// The response head, up to the blank line.
    private func readHead() -> String? {
        var head: [UInt8] = []
        while true {
            guard let line = readLine() else { return nil }
            if line.isEmpty { return String(decoding: head, as: UTF8.self) }
            head += Array(line.utf8) + [0x0D, 0x0A]
            if head.count > 64 * 1024 { return nil }
        }
    }

    /// One CRLF-terminated line, without the CRLF.
    private func readLine() -> String? {
        while true {
            if let end = buffer.firstIndex(of: 0x0A) {
                var line = Array(buffer[..<end])
                if line.last == 0x0D { line.removeLast() }
                buffer.removeSubrange(...end)
                return String(decoding: line, as: UTF8.self)
            }
            guard fill() else { return nil }
        }
    }

    /// Exactly `count` bytes.
    private func read(count: Int) -> [UInt8]? {
        while buffer.count < count {
            guard fill() else { return nil }
        }
        defer { buffer.removeSubrange(..<count) }
        return Array(buffer[..<count])
    }

    /// Reads what the socket has into the buffer; false at the end or on an error.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = chunk.withUnsafeMutableBufferPointer { recv(fd, $0.baseAddress, $0.count, 0) }
            if got > 0 {
                buffer.append(contentsOf: chunk[..<got])
                return true
            }
            if got < 0, errno == EINTR { continue }
            return false
        }
    }
}
