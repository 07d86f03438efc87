import Drover
import DroverKV
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Adapters: the client's policies, trace and metrics")
struct AdapterClientTests {
    let harness: AdapterHarness

    init() throws {
        harness = try AdapterHarness()
    }

    @Test("validate, execute, transform: a 503 and a timeout are retried with exact waits, every attempt sends the same body")
    func retriedCall() async throws {
        let adapter = EchoAdapter(policies: plainPolicies(attempts: 3))
        let fetcher = ScriptedAdapterFetcher([.status(503), .timeout, .ok])
        let output = try await harness.client([adapter], fetcher: fetcher).call(adapter, "order-7")
        #expect(output == "ok 3")
        // Full jitter at its ceiling: 1 s after the first failure, 2 s after the second.
        #expect(harness.clock.sleeps == [.seconds(1), .seconds(2)])
        #expect(fetcher.sent.map(\.url) == Array(repeating: "https://upstream.example/order-7", count: 3))
        #expect(fetcher.sent.map(\.body) == Array(repeating: "body of order-7", count: 3))
        #expect(sample(#"integration_requests_total{adapter_id="echo",status="success"}"#, in: harness.metrics) == 1)
        #expect(sample(#"integration_requests_total{adapter_id="echo",status="failure"}"#, in: harness.metrics) == 2)
        #expect(sample(#"integration_errors_total{adapter_id="echo",error_type="http_503"}"#, in: harness.metrics) == 1)
        #expect(sample(#"integration_errors_total{adapter_id="echo",error_type="timeout"}"#, in: harness.metrics) == 1)
        #expect(sample(#"integration_retries_total{adapter_id="echo"}"#, in: harness.metrics) == 2)
        #expect(sample(#"integration_request_duration_seconds_count{adapter_id="echo"}"#, in: harness.metrics) == 3)
    }

    @Test("invalid input is refused with 422 and its issues before any request; an unregistered adapter is an error")
    func validation() async throws {
        let adapter = EchoAdapter(policies: plainPolicies())
        let fetcher = ScriptedAdapterFetcher([])
        let client = try harness.client([adapter], fetcher: fetcher)
        let error = await thrown { _ = try await client.call(adapter, "") }
        let refusal = try #require(error as? AdapterError)
        #expect(refusal == .invalidInput(adapter: "echo", issues: [AdapterValidationIssue(field: "input", message: "must not be empty")]))
        #expect(refusal.status == 422)
        #expect(refusal.message == "input: must not be empty")
        #expect(fetcher.sent.isEmpty)

        let stranger = EchoAdapter(id: "stranger")
        #expect(await thrown { _ = try await client.call(stranger, "x") } as? AdapterError == .unknownAdapter("stranger"))
        #expect(fetcher.sent.isEmpty)
    }

    @Test("an answer the adapter cannot use is a 502 from transform, after the retries")
    func unexpectedStatus() async throws {
        let adapter = EchoAdapter(policies: plainPolicies(attempts: 2))
        let fetcher = ScriptedAdapterFetcher([.status(404)])
        let error = await thrown { _ = try await harness.client([adapter], fetcher: fetcher).call(adapter, "missing") }
        #expect(error as? AdapterError == .unexpectedStatus(adapter: "echo", status: 404))
        #expect((error as? AdapterError)?.status == 502)
        // A 404 is not retried: the request itself is wrong.
        #expect(fetcher.sent.count == 1)
        #expect(sample(#"integration_errors_total{adapter_id="echo",error_type="http_404"}"#, in: harness.metrics) == 1)
    }

    @Test("the invocation's traceparent and tracestate go out on every attempt; a request's own traceparent is kept")
    func traceForwarding() async throws {
        let trace = try #require(TraceContext(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "vendor=1"))
        let adapter = EchoAdapter(policies: plainPolicies())
        let fetcher = ScriptedAdapterFetcher([.status(502), .ok])
        let client = try harness.client([adapter], fetcher: fetcher, trace: trace)
        _ = try await client.call(adapter, "a")
        #expect(fetcher.sent.map { $0.headers["traceparent"] } == [trace.traceparent, trace.traceparent])
        #expect(fetcher.sent.map { $0.headers["tracestate"] } == ["vendor=1", "vendor=1"])

        let own = "00-11111111111111111111111111111111-2222222222222222-00"
        _ = try await client.context(for: "echo").fetch(try Request(url: "https://upstream.example/own", headers: ["traceparent": own]))
        #expect(fetcher.sent.last?.headers["traceparent"] == own)
    }

    @Test("each attempt has its own timeout; a timed-out attempt is retried and counted")
    func attemptTimeout() async throws {
        let policies = AdapterPolicies(timeout: .seconds(2), retry: RetryPolicy(maxAttempts: 2, baseDelay: .seconds(1)), circuitBreaker: nil)
        let adapter = EchoAdapter(policies: policies)
        let error = await thrown { _ = try await harness.client([adapter], fetcher: SlowFetcher(clock: harness.clock, seconds: 3_600)).call(adapter, "slow") }
        let timeout = try #require(error as? ResilienceError)
        #expect(timeout.code == .timedOut)
        #expect(timeout.status == 504)
        // Each hour-long answer is cut at its 2 s deadline; 1 s of backoff between the attempts.
        #expect(harness.clock.sleeps == [.seconds(3_600), .seconds(1), .seconds(3_600)])
        #expect(harness.clock.elapsed == 5)
        #expect(sample(#"integration_errors_total{adapter_id="echo",error_type="timeout"}"#, in: harness.metrics) == 2)
        #expect(sample(#"integration_requests_total{adapter_id="echo",status="failure"}"#, in: harness.metrics) == 2)
        #expect(sample(#"integration_retries_total{adapter_id="echo"}"#, in: harness.metrics) == 1)
    }

    @Test("the breaker counts every attempt, opens at its threshold, and its refusal is not retried")
    func breakerAroundAttempts() async throws {
        let breaker = CircuitBreakerConfiguration(slidingWindow: .count(4), minimumNumberOfCalls: 4, waitDurationInOpenState: .seconds(30))
        let adapter = EchoAdapter(policies: AdapterPolicies(timeout: nil, retry: RetryPolicy(maxAttempts: 4, baseDelay: .seconds(1)), circuitBreaker: breaker))
        let fetcher = ScriptedAdapterFetcher(Array(repeating: .status(503), count: 10))
        let client = try harness.client([adapter], fetcher: fetcher)

        // Four attempts, four 503s: the fourth fills the window at 100 % failures and opens it.
        let first = await thrown { _ = try await client.call(adapter, "a") }
        #expect(first as? AdapterError == .unexpectedStatus(adapter: "echo", status: 503))
        #expect(fetcher.sent.count == 4)
        #expect(sample(#"integration_circuit_breaker_state{adapter_id="echo"}"#, in: harness.metrics) == 2)

        let sleepsBefore = harness.clock.sleeps.count
        let second = await thrown { _ = try await client.call(adapter, "b") }
        let refusal = try #require(second as? ResilienceError)
        #expect(refusal.code == .circuitOpen)
        #expect(fetcher.sent.count == 4)
        #expect(harness.clock.sleeps.count == sleepsBefore)
        #expect(sample(#"integration_errors_total{adapter_id="echo",error_type="circuit_open"}"#, in: harness.metrics) == 1)
        #expect(sample(#"integration_retries_total{adapter_id="echo"}"#, in: harness.metrics) == 3)

        // The state is the KV's: a breaker of the same name sees it open.
        let stored = CircuitBreaker(name: "echo", configuration: breaker, kv: harness.storage.kv, clock: harness.clock)
        #expect(try await stored.state() == .open)
    }

    @Test("a token bucket that refuses stops the call before the upstream, is not retried and is not a breaker failure")
    func rateLimitRefusal() async throws {
        let policies = AdapterPolicies(
            timeout: nil, retry: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1)),
            circuitBreaker: CircuitBreakerConfiguration(slidingWindow: .count(10), minimumNumberOfCalls: 1),
            rateLimit: AdapterRateLimit(capacity: 2, ratePerSecond: 1, policy: .refuse))
        let adapter = EchoAdapter(policies: policies)
        let fetcher = ScriptedAdapterFetcher([])
        let client = try harness.client([adapter], fetcher: fetcher)
        _ = try await client.call(adapter, "1")
        _ = try await client.call(adapter, "2")
        let error = await thrown { _ = try await client.call(adapter, "3") }
        let limited = try #require(error as? RateLimitError)
        #expect(limited.code == .limited)
        #expect(limited.retryAfter == .seconds(1))
        #expect(fetcher.sent.count == 2)
        #expect(harness.clock.sleeps.isEmpty)
        #expect(sample(#"integration_errors_total{adapter_id="echo",error_type="rate_limited"}"#, in: harness.metrics) == 1)
        let snapshot = try await CircuitBreaker(name: "echo", configuration: policies.circuitBreaker!, kv: harness.storage.kv, clock: harness.clock).snapshot()
        #expect((snapshot.state, snapshot.calls, snapshot.failedCalls) == (.closed, 2, 0))
    }

    @Test("Shopify's call-limit header fills the leaky bucket: the next attempt waits for one call to leak")
    func upstreamFeedback() async throws {
        let policies = AdapterPolicies(timeout: nil, retry: RetryPolicy(maxAttempts: 1), circuitBreaker: nil, rateLimit: .shopifyREST)
        let adapter = ProbedAdapter(id: "shopify", policies: policies) { _ in AdapterHealth(.healthy) }
        let fetcher = ScriptedAdapterFetcher([])
        let client = try harness.client([adapter], fetcher: fetcher)
        let context = try client.context(for: "shopify")
        final class Full: Fetcher {
            func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
                Response("{}", headers: ["X-Shopify-Shop-Api-Call-Limit": "40/40"])
            }
        }
        let full = try AdapterRegistry([adapter], metrics: try IntegrationMetrics())
            .client(fetcher: Full(), state: harness.storage.kv, clock: harness.clock, random: MaxRandom())
        _ = try await full.context(for: "shopify").fetch(try Request(url: "https://shop.example/admin/api/orders.json"))
        #expect(harness.clock.sleeps.isEmpty)
        _ = try await context.fetch(try Request(url: "https://shop.example/admin/api/orders.json"))
        // 40 of 40 used, leaking 2 a second: room for one call in half a second.
        #expect(harness.clock.sleeps == [.milliseconds(500)])
        #expect(fetcher.sent.count == 1)
    }

    @Test("a full bulkhead refuses at once: the call is not made, not retried, and counted")
    func bulkhead() async throws {
        let policies = AdapterPolicies(timeout: nil, retry: RetryPolicy(maxAttempts: 3, baseDelay: .seconds(1)), circuitBreaker: nil, maxConcurrentCalls: 1)
        let adapter = EchoAdapter(policies: policies)
        let fetcher = GatedFetcher()
        let client = try harness.client([adapter], fetcher: fetcher)
        let first = Task { try await client.call(adapter, "first") }
        #expect(await eventually { fetcher.entered == 1 })
        let error = await thrown { _ = try await client.call(adapter, "second") }
        #expect((error as? ResilienceError)?.code == .bulkheadFull)
        #expect(fetcher.entered == 1)
        #expect(sample(#"integration_errors_total{adapter_id="echo",error_type="bulkhead_full"}"#, in: harness.metrics) == 1)
        fetcher.gate.open()
        #expect(try await first.value == "released")
    }

    @Test("the registry refuses duplicate ids, ids a metric label or KV key should not carry, and a bulkhead of no calls")
    func registryChecks() throws {
        #expect(throws: AdapterRegistryError.self) { try AdapterRegistry([EchoAdapter(), EchoAdapter()], metrics: harness.metrics) }
        for id in ["", "has space", "new\nline", "ünï", String(repeating: "a", count: 65)] {
            #expect(throws: AdapterRegistryError.self, "\(id)") { try AdapterRegistry([EchoAdapter(id: id)], metrics: harness.metrics) }
        }
        let none = AdapterPolicies(maxConcurrentCalls: 0)
        #expect(throws: AdapterRegistryError.self) { try AdapterRegistry([EchoAdapter(policies: none)], metrics: harness.metrics) }
        let registry = try AdapterRegistry([EchoAdapter(id: "a.b-c_1"), EchoAdapter(id: String(repeating: "z", count: 64))], metrics: harness.metrics)
        #expect(registry.ids == ["a.b-c_1", String(repeating: "z", count: 64)])
    }
}
