import Drover
import DroverCLI
import DroverConfig
import DroverExamples
import DroverRuntime
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP answer read off a raw socket.
struct RawHTTPResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func json() throws -> JSONValue { try JSONParser.parse(text) }
}

struct RawHTTPError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking HTTP/1.1 client on a plain socket, run on its own thread so tests never block the
/// cooperative pool. Every read has a receive timeout, so a test never hangs.
final class RawHTTPConnection: @unchecked Sendable {
    // @unchecked: the descriptor and buffer are used by one caller at a time (each call awaits).
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 60) throws {
        // `fd` is set last: a throw after every stored property is set runs `deinit`, which would
        // close the number a second time, when it may already be another test's socket.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError(description: "socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw RawHTTPError(description: "connect to \(host):\(port) failed (errno \(code))")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The local port of this connection.
    var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Writes bytes (blocking; small writes).
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw RawHTTPError(description: "send failed (errno \(errno))") }
            offset += written
        }
    }

    /// Reads one response (Content-Length or chunked or until EOF), on a separate thread.
    func readResponse() async throws -> RawHTTPResponse {
        try await Self.onThread { try self.readResponseBlocking() }
    }

    /// Sends a request and reads its response.
    func send(_ method: String, _ target: String, body: String? = nil, headers: [String: String] = [:]) async throws -> RawHTTPResponse {
        try write(Self.requestBytes(method, target, body: body, headers: headers))
        return try await readResponse()
    }

    static func requestBytes(_ method: String, _ target: String, body: String?, headers: [String: String] = [:]) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\n"
        if !headers.keys.contains(where: { $0.lowercased() == "host" }) { head += "Host: localhost\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.utf8.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + Array((body ?? "").utf8)
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if count < 0 { throw RawHTTPError(description: "recv failed or timed out (errno \(errno))") }
        if count == 0 { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    private func readLine() throws -> String? {
        while true {
            if let index = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<index], as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
                buffer.removeFirst(index + 1)
                return line
            }
            guard try fill() else { return nil }
        }
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw RawHTTPError(description: "connection closed in the body") }
        }
        let bytes = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return bytes
    }

    private func readResponseBlocking() throws -> RawHTTPResponse {
        guard let statusLine = try readLine() else { throw RawHTTPError(description: "connection closed before a response") }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw RawHTTPError(description: "bad status line \(statusLine)") }
        var headers: [(name: String, value: String)] = []
        while let line = try readLine(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let response = RawHTTPResponse(status: status, headers: headers, body: [])
        if let length = response.header("content-length").flatMap(Int.init) {
            return RawHTTPResponse(status: status, headers: headers, body: try readExactly(length))
        }
        if response.header("transfer-encoding")?.lowercased() == "chunked" {
            var body: [UInt8] = []
            while let sizeLine = try readLine() {
                let size = Int(sizeLine.split(separator: ";").first.map(String.init) ?? "", radix: 16) ?? 0
                if size == 0 {
                    _ = try readLine()
                    break
                }
                body += try readExactly(size)
                _ = try readLine()
            }
            return RawHTTPResponse(status: status, headers: headers, body: body)
        }
        if status == 204 || status == 304 { return response }
        while try fill() {}
        let body = buffer
        buffer = []
        return RawHTTPResponse(status: status, headers: headers, body: body)
    }

    /// `work` on a thread of its own, off the cooperative pool: a blocking read there would
    /// starve a server running in the test's process.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
            thread.start()
        }
    }
}

/// One request on a fresh connection.
func httpRequest(port: Int, _ method: String, _ target: String, body: String? = nil, headers: [String: String] = [:]) async throws -> RawHTTPResponse
{
    let connection = try RawHTTPConnection(port: port)
    var headers = headers
    headers["Connection"] = "close"
    return try await connection.send(method, target, body: body, headers: headers)
}

/// Polls `condition` until it is true, yielding a little between tries; fails after `limit`.
/// The limit only bounds the test; nothing asserts how long it took.
func eventually(
    _ what: String,
    limit: Duration = .seconds(30),
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    // Once more after the deadline: a busy machine may not have run this task again until then.
    if try await condition() { return }
    throw RawHTTPError(description: "gave up waiting for \(what)")
}

/// A copy of Examples/playground (config and migrations) in a temporary directory.
struct PlaygroundProject {
    let directory: TemporaryDirectory
    var path: String { directory.path }
    var configPath: String { directory.path + "/wrangler-like.toml" }
    var statePath: String { directory.path + "/state" }

    static var sourceDirectory: String {
        // Tests/DroverRuntimeTests/<file> → repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("Examples/playground").path
    }

    static func make(editing edit: (String) -> String = { $0 }) throws -> PlaygroundProject {
        let directory = try TemporaryDirectory()
        let source = sourceDirectory
        let config = try String(contentsOfFile: source + "/wrangler-like.toml", encoding: .utf8)
        try edit(config).write(toFile: directory.path + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: source + "/migrations", toPath: directory.path + "/migrations")
        return PlaygroundProject(directory: directory)
    }

    /// A registry with the playground worker.
    static var registry: WorkerRegistry {
        var registry = WorkerRegistry()
        registry.register("playground", PlaygroundWorker())
        registry.register(durableObject: "Counter", PlaygroundCounter.self)
        return registry
    }

    /// Runs the CLI in this project (`--persist-to state` appended for config-reading commands).
    func cli(_ arguments: [String], stdin: String = "", persist: Bool = true) async -> CLIRun {
        await CLIRun.run(arguments + (persist ? ["--persist-to", statePath] : []), in: path, stdin: stdin, registry: Self.registry)
    }

    /// Writes a file in the project folder.
    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory.path + "/" + name, atomically: true, encoding: .utf8)
    }

    /// A factory building the runtime from the config on disk, as `drover dev` does.
    func runtimeFactory(logger: Logger, registry: WorkerRegistry = PlaygroundProject.registry, tail: TailHub? = nil) -> DevServer.RuntimeFactory {
        let configPath = self.configPath
        let statePath = self.statePath
        return {
            let loaded = try ConfigLoader.load(configPath: configPath, stateDirectory: statePath)
            var options = RuntimeOptions(
                stateDirectory: statePath,
                clock: SystemWallClock(),
                fetcher: RefusingFetcher(),
                logger: logger
            )
            options.secrets = loaded.config.secrets.mapValues { $0.reveal() }
            options.devVars = loaded.config.devVars.mapValues { $0.reveal() }
            options.tail = tail
            return try await WorkerRuntime(config: loaded.config, registry: registry, options: options)
        }
    }
}

/// Outbound fetch that refuses, for tests that never call out.
struct RefusingFetcher: Fetcher {
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError(kind: .connection, message: "no outbound fetch in this test")
    }
}

/// The result of one CLI run.
struct CLIRun: Sendable {
    var status: Int32
    var output: String
    var errors: String

    static func run(_ arguments: [String], in directory: String, stdin: String = "", registry: WorkerRegistry) async -> CLIRun {
        let output = CapturingSink()
        let errors = CapturingSink()
        let context = CLIContext(
            standardOutput: output,
            standardError: errors,
            readStandardInput: { Array(stdin.utf8) },
            workingDirectory: directory,
            registry: registry,
            environment: [:]
        )
        let status = await DroverCommandLine.run(arguments, context: context)
        return CLIRun(status: status, output: output.text, errors: errors.text)
    }
}

