import Drover
import DroverHTTP
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A test helper, not a benchmark: `Benchmarks http-fd-pressure LIMIT` lowers this process's
/// descriptor limit to LIMIT, serves HTTP on a free port (printed on standard output) with a
/// connection limit far above it, so that `accept(2)` runs out of descriptors, and answers
/// `GET /stats` with how many times it did. The HTTP hardening tests run it: a process-wide
/// limit cannot be lowered inside the test process.
enum HTTPDescriptorPressure {
    static func run(arguments: [String]) async throws {
        let wanted = rlim_t(Int(arguments.first ?? "") ?? 64)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = min(wanted, limit.rlim_max)
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

        let logger = Logger(label: "http", level: .info, sink: StandardErrorLogSink())
        let server = Box()
        let http = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0, eventLoops: 1, maxConnections: 10_000),
            logger: logger
        ) { request in
            if request.path == "/stats" { return Response("\(server.value?.acceptFailureCount ?? -1)") }
            return Response("ok")
        }
        server.value = http
        let port = try http.start()
        FileHandle.standardOutput.write(Data("\(port)\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    /// The server, set once it exists (the responder is made before it).
    private final class Box: @unchecked Sendable {
        // Safety: written once before the server starts, only read afterwards.
        var value: HTTPServer?
    }
}
