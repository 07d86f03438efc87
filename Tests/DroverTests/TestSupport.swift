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

/// A small seeded generator (SplitMix64), so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `count` bytes from the sequence.
    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}
