import Drover
import DroverKV
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Adapters: health")
struct AdapterHealthTests {
    let harness: AdapterHarness

    init() throws {
        harness = try AdapterHarness()
    }

    private func breaker(_ id: String, _ configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration()) -> CircuitBreaker {
        CircuitBreaker(name: id, configuration: configuration, kv: harness.storage.kv, clock: harness.clock)
    }

    @Test("every check passing is healthy: 200, each adapter's version and closed breaker, no probe of its own needed")
    func healthy() async throws {
        let report = try await harness.client([EchoAdapter(), ProbedAdapter(id: "crm") { _ in AdapterHealth(.healthy, message: "ok") }]).health()
        #expect(report.status == .healthy)
        #expect(report.checks.map(\.id) == ["echo", "crm"])
        #expect(report["echo"] == HealthReport.Check(
            status: .pass, version: "1.4.0", circuitBreaker: .closed, latencyMilliseconds: 0,
            message: "no probe of its own: its circuit breaker's state decides"))
        #expect(report["crm"]?.message == "ok")
        let response = report.response()
        #expect(response.status == 200)
        #expect(response.headers["cache-control"] == "no-store")
        let json = try await response.json()
        #expect(json["status"]?.stringValue == "healthy")
        #expect(json["checks"]?["echo"]?["status"]?.stringValue == "pass")
        #expect(json["checks"]?["echo"]?["circuit_breaker"]?.stringValue == "closed")
        #expect(json["checks"]?["echo"]?["version"]?.stringValue == "1.4.0")
    }

    @Test("an open breaker fails its check, whatever the probe says, and the whole is unhealthy with 503")
    func openBreaker() async throws {
        try await breaker("echo").forceOpen()
        let report = try await harness.client([EchoAdapter(), ProbedAdapter(id: "crm") { _ in AdapterHealth(.healthy) }]).health()
        #expect(report["echo"]?.status == .fail)
        #expect(report["echo"]?.circuitBreaker == .open)
        #expect(report["echo"]?.message == "circuit breaker open")
        #expect(report["crm"]?.status == .pass)
        #expect(report.status == .unhealthy)
        #expect(report.response().status == 503)
        #expect(sample(#"integration_circuit_breaker_state{adapter_id="echo"}"#, in: harness.metrics) == 2)
        #expect(sample(#"integration_circuit_breaker_state{adapter_id="crm"}"#, in: harness.metrics) == 0)
    }

    @Test("a half-open breaker or a degraded probe warns, and the whole is degraded but still 200")
    func degraded() async throws {
        // Open the breaker with two failures and let its wait pass: the next look finds it half-open.
        let failing = CircuitBreakerConfiguration(slidingWindow: .count(2), minimumNumberOfCalls: 2, waitDurationInOpenState: .seconds(30))
        for _ in 0..<2 { _ = try await breaker("echo", failing).run { Response("down", status: 503) } }
        #expect(try await breaker("echo", failing).state() == .open)
        harness.clock.advance(by: 30)
        let echo = EchoAdapter(policies: AdapterPolicies(circuitBreaker: failing))
        let report = try await harness.client([echo, ProbedAdapter(id: "crm") { _ in AdapterHealth(.degraded, message: "read-only") }]).health()
        #expect(report["echo"]?.status == .warn)
        #expect(report["echo"]?.circuitBreaker == .halfOpen)
        #expect(report["echo"]?.message == "circuit breaker half-open")
        #expect(report["crm"] == HealthReport.Check(status: .warn, version: "2.0.0", circuitBreaker: .closed, latencyMilliseconds: 0, message: "read-only"))
        #expect(report.status == .degraded)
        #expect(report.response().status == 200)
    }

    @Test("a probe that throws or outlives its timeout fails, without leaking the error's text; its latency is measured")
    func failingProbes() async throws {
        let secretURL = "https://user:hunter2@crm.example/health?token=hunter2"
        let report = try await harness.client([
            ProbedAdapter(id: "refused") { _ in throw FetchError(kind: .connection, message: "\(secretURL): connection refused") },
            ProbedAdapter(id: "slow", policies: AdapterPolicies(healthCheckTimeout: .seconds(2))) { context in
                try await context.clock.sleep(for: .seconds(3_600))
                return AdapterHealth(.healthy)
            },
            ProbedAdapter(id: "measured") { context in
                try await context.clock.sleep(for: .milliseconds(40))
                return AdapterHealth(.unhealthy, message: "replica lagging")
            },
        ]).health()
        #expect(report["refused"]?.status == .fail)
        #expect(report["refused"]?.message == "health check failed: connection")
        #expect(report["slow"]?.status == .fail)
        #expect(report["slow"]?.message == "health check timed out")
        #expect(report["measured"]?.status == .fail)
        #expect(report["measured"]?.message == "replica lagging")
        #expect((report["measured"]?.latencyMilliseconds ?? 0) > 39.99)
        #expect(!"\(report.json)".contains("hunter2"))
        #expect(report.status == .unhealthy)
    }

    @Test("a probe's fetch carries the trace and goes out even while the breaker is open: no retry, no breaker, no rate limit")
    func probeBypassesPolicies() async throws {
        try await breaker("crm").forceOpen()
        let trace = TraceContext.start(using: .random)
        let fetcher = ScriptedAdapterFetcher([.status(503), .ok])
        let probed = ProbedAdapter(id: "crm", policies: AdapterPolicies(rateLimit: AdapterRateLimit(capacity: 1, ratePerSecond: 0.001, policy: .refuse))) { context in
            let response = try await context.fetch(try Request(url: "https://crm.example/health"))
            return AdapterHealth(response.status == 200 ? .healthy : .unhealthy, message: "status \(response.status)")
        }
        let client = try AdapterRegistry([probed], metrics: harness.metrics)
            .client(fetcher: fetcher, state: harness.storage.kv, clock: harness.clock, trace: trace, random: MaxRandom())
        let first = await client.health()
        let second = await client.health()
        #expect(fetcher.sent.count == 2)
        #expect(fetcher.sent.map { $0.headers["traceparent"] } == [trace.traceparent, trace.traceparent])
        #expect(first["crm"]?.status == .fail)
        #expect(second["crm"]?.status == .fail)  // the probe passes, but the breaker is still open
        #expect(harness.clock.sleeps.isEmpty)
        // Probes are not upstream calls of the adapter: nothing counted.
        #expect(sample(#"integration_requests_total{adapter_id="crm",status="failure"}"#, in: harness.metrics) == nil)
    }

    @Test("no adapters is healthy; the gauges are refreshed from the stored state for /metrics")
    func gauges() async throws {
        #expect(try await harness.client([]).health().status == .healthy)
        try await breaker("echo").forceOpen()
        let client = try harness.client([EchoAdapter(), EchoAdapter(id: "plain", policies: plainPolicies())])
        #expect(sample(#"integration_circuit_breaker_state{adapter_id="echo"}"#, in: harness.metrics) == nil)
        await client.refreshCircuitBreakerGauges()
        #expect(sample(#"integration_circuit_breaker_state{adapter_id="echo"}"#, in: harness.metrics) == 2)
        #expect(sample(#"integration_circuit_breaker_state{adapter_id="plain"}"#, in: harness.metrics) == nil)
    }
}
