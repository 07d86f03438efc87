import Dispatch
import Drover
import DroverHTTP
import Foundation

/// `Benchmarks http-hello --port N [--loops N]`: DroverHTTP's server alone with a trivial responder,
/// serving the two routes of the HTTP comparison (GET /hello -> `hello`, POST /echo -> the body back
/// as application/json), for any load generator (`wrk`, `ab`, `curl`); see Benchmarks/README.md.
/// Runs until SIGINT or SIGTERM, then shuts down gracefully.
enum HTTPBenchmark {
    static func run(arguments: [String]) async throws {
        var port = Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 8080
        var loops: Int?
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--port" where index + 1 < arguments.count:
                port = Int(arguments[index + 1]) ?? port
                index += 1
            case "--loops" where index + 1 < arguments.count:
                loops = Int(arguments[index + 1])
                index += 1
            default:
                break
            }
            index += 1
        }
        let logger = Logger(label: "http-bench", level: .warning, sink: StandardErrorLogSink())
        let hello = Response("hello")
        let notFound = Response("not found", status: 404)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(port: port, eventLoops: loops),
            logger: logger
        ) { request in
            switch (request.method, request.target) {
            case ("GET", "/hello"):
                return hello
            case ("POST", "/echo"):
                return Response(status: 200, headers: ["content-type": "application/json"], body: request.body)
            default:
                return notFound
            }
        }
        let bound = try server.start()
        print("http-hello listening on 127.0.0.1:\(bound) with \(server.configuration.eventLoops) event loop(s)")
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let signals = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = OnceFlag()
            for source in signals {
                source.setEventHandler {
                    if once.claim() { continuation.resume() }
                }
                source.resume()
            }
        }
        withExtendedLifetime(signals) {}
        await server.shutdown(gracePeriod: .seconds(5))
    }
}

/// A flag set once, from any thread.
private final class OnceFlag: @unchecked Sendable {
    // Safety: `claimed` is only touched under `lock`.
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
