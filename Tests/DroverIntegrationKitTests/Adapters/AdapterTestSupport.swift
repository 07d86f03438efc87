import Drover
import DroverTestSupport
import Foundation
import Synchronization

@testable import DroverIntegrationKit

/// The outbound `fetch` of the adapter tests: records every request it is given, answers from a
/// ``ScriptedUpstream``.
final class ScriptedAdapterFetcher: Fetcher {
    struct Sent: Sendable {
        var method: String
        var url: String
        var headers: Headers
        var body: String
    }

    let upstream: ScriptedUpstream
    private let recorded = Mutex<[Sent]>([])

    init(_ steps: [ScriptedUpstream.Step], clock: RecordingClock? = nil) {
        upstream = ScriptedUpstream(steps, clock: clock)
    }

    /// The requests so far, in order.
    var sent: [Sent] { recorded.withLock { $0 } }

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        let body = try await request.body.text()
        recorded.withLock { $0.append(Sent(method: request.method, url: request.url, headers: request.headers, body: body)) }
        return try await upstream.call()
    }
}

/// A fetcher whose upstream takes `seconds` on the clock to answer 200: it waits on the clock, so
/// a time limit on a frozen clock cuts it at its deadline.
struct SlowFetcher: Fetcher {
    let clock: any WallClock
    let seconds: Int64

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        try await clock.sleep(for: .seconds(seconds))
        return Response("late")
    }
}

/// A fetcher that holds every call at a gate until the test opens it, then answers 200.
final class GatedFetcher: Fetcher {
    let gate = Gate()
    private let count = Mutex(0)

    var entered: Int { count.withLock { $0 } }

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        count.withLock { $0 += 1 }
        await gate.wait()
        return Response("released")
    }
}

/// Sends its input's text to `https://upstream.example/<input>` as a POST and answers the body of a
/// 200; input that is empty is invalid. No health check of its own.
struct EchoAdapter: IntegrationAdapter {
    var id = "echo"
    var version = "1.4.0"
    var policies = AdapterPolicies()

    func validate(_ input: String) -> [AdapterValidationIssue] {
        input.isEmpty ? [AdapterValidationIssue(field: "input", message: "must not be empty")] : []
    }

    func execute(_ input: String, context: AdapterContext) async throws -> Response {
        try await context.fetch(try Request(url: "https://upstream.example/\(input)", method: "POST", body: Body(text: "body of \(input)")))
    }

    func transform(_ response: Response) async throws -> String {
        guard response.status == 200 else { throw AdapterError.unexpectedStatus(adapter: id, status: response.status) }
        return try await response.text()
    }
}

/// An adapter whose health check is the test's closure.
struct ProbedAdapter: IntegrationAdapter {
    var id: String
    var version = "2.0.0"
    var policies = AdapterPolicies()
    let probe: @Sendable (AdapterContext) async throws -> AdapterHealth

    func execute(_ input: String, context: AdapterContext) async throws -> Response {
        try await context.fetch(try Request(url: "https://\(id).example/\(input)"))
    }

    func transform(_ response: Response) async throws -> String {
        try await response.text()
    }

    func healthCheck(context: AdapterContext) async throws -> AdapterHealth {
        try await probe(context)
    }
}

/// The value of the series `series` (`name{labels}` exactly as rendered) in `metrics`, or nil.
func sample(_ series: String, in metrics: IntegrationMetrics) -> Double? {
    for line in metrics.registry.render().split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// Policies with no waits of their own: `attempts` attempts with a 1 s base backoff (so, with
/// ``MaxRandom``, waits of exactly 1 s, 2 s, …), no per-attempt timeout, no breaker.
func plainPolicies(attempts: Int = 3) -> AdapterPolicies {
    AdapterPolicies(timeout: nil, retry: RetryPolicy(maxAttempts: attempts, baseDelay: .seconds(1)), circuitBreaker: nil)
}

/// What every adapter test stands on: a frozen clock that records its waits, a metrics registry of
/// its own, and a file-backed KV namespace for the breakers and buckets; clients made on them.
struct AdapterHarness {
    let clock = RecordingClock()
    let metrics: IntegrationMetrics
    let storage: TemporaryKV

    init() throws {
        metrics = try IntegrationMetrics()
        storage = try TemporaryKV(clock: clock)
    }

    /// A client of `adapters` on the harness's clock, metrics and KV; full jitter at its ceiling.
    func client(_ adapters: [any IntegrationAdapter], fetcher: any Fetcher = ScriptedAdapterFetcher([]), trace: TraceContext? = nil) throws
        -> AdapterClient
    {
        try AdapterRegistry(adapters, metrics: metrics).client(fetcher: fetcher, state: storage.kv, clock: clock, trace: trace, random: MaxRandom())
    }
}
