import Foundation

@testable import Drover

/// Outbound fetch for tests that must not reach the network: every call fails.
struct OfflineFetcher: Fetcher {
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError(kind: .connection, message: "offline in tests: \(request.url)")
    }
}

/// Factories for the values every test needs.
enum TestSupport {
    /// An environment with `bindings` and `vars`, no network, a frozen clock.
    static func makeEnv(bindings: [String: Env.Binding] = [:], vars: [String: JSONValue] = [:]) -> Env {
        Env(
            bindings: bindings,
            vars: Vars(vars),
            fetch: OfflineFetcher(),
            clock: ManualWallClock(Date(timeIntervalSince1970: 1_700_000_000)),
            configFile: "test.toml"
        )
    }

    /// A context whose logger writes to `sink`.
    static func makeContext(sink: MemoryLogSink = MemoryLogSink()) -> ExecutionContext {
        ExecutionContext(logger: Logger(label: "test", level: .trace, sink: sink))
    }

    /// A request for `target` with `method`.
    static func makeRequest(_ method: String = "GET", _ target: String, body: Body = .empty) -> Request {
        Request(method: method, target: target, body: body)
    }
}

