import Drover
import DroverKV
import Foundation
import Testing

@testable import DroverIntegrationKit

/// The example of Docs/integration-kit.md, verbatim (a test below keeps the two equal).
struct Integrations: Worker {
    let erpBulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 4, maxWait: .milliseconds(250))
    static let retry = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(200), maxDuration: .seconds(10))
    static let breakerSettings = CircuitBreakerConfiguration(
        slidingWindow: .time(seconds: 60), minimumNumberOfCalls: 20, waitDurationInOpenState: .seconds(30))

    func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let breaker = CircuitBreaker(
            name: "erp", configuration: Self.breakerSettings, kv: try env.kv("CACHE"), clock: env.clock, logger: ctx.logger)
        let upstream = try Request(url: "https://erp.example.com/orders")
        return try await erpBulkhead.run(clock: env.clock) {
            try await Self.retry.run(clock: env.clock) {
                try await breaker.run {
                    try await withTimeout(.seconds(5), clock: env.clock, name: "erp") {
                        try await env.fetch.fetch(upstream)
                    }
                }
            }
        }
    }
}

/// An outbound `fetch` answered by a script.
struct ScriptedUpstreamFetcher: Fetcher {
    let upstream: ScriptedUpstream

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        try await upstream.call()
    }
}

@Suite("Resilience documentation")
struct ResilienceDocumentationTests {
    @Test("the example in Docs/integration-kit.md is the one these tests run")
    func exampleMatches() throws {
        let blocks = try DocumentedExamples.swiftBlocks(in: "Docs/integration-kit.md", section: "## Retry, circuit breaker, timeouts and bulkheads")
        #expect(blocks.count == 1)
        for paragraph in try DocumentedExamples.paragraphsMissing(from: #filePath, blocks) {
            Issue.record("not in ResilienceDocumentationTests.swift:\n\(paragraph)")
        }
    }

    @Test("the example retries a 503 through the breaker, the timeout and the bulkhead, and counts both calls")
    func exampleRuns() async throws {
        let clock = SteppedClock()
        let storage = try TemporaryKV(clock: clock)
        let upstream = ScriptedUpstream([.status(503), .ok])
        let env = Env(bindings: ["CACHE": .kv(storage.kv)], fetch: ScriptedUpstreamFetcher(upstream: upstream), clock: clock)
        let worker = Integrations()
        let call = Task {
            try await worker.fetch(try Request(url: "https://worker.example/"), env: env, ctx: ExecutionContext(logger: .disabled))
        }
        // Attempt 1 answers 503, its 5 s timer is cancelled, and the policy waits at most 200 ms.
        #expect(await eventually { clock.pendingDeadlines.count == 1 && clock.pendingDeadlines[0] <= testStart.addingTimeInterval(0.2) })
        #expect(upstream.calls == 1)
        clock.advance(by: 0.2)
        let response = try await call.value
        #expect(response.status == 200)
        #expect(upstream.calls == 2)
        #expect(worker.erpBulkhead.activeCalls == 0)
        let breaker = CircuitBreaker(name: "erp", configuration: Integrations.breakerSettings, kv: storage.kv, clock: clock)
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.calls, snapshot.failedCalls) == (.closed, 2, 1))
    }
}
