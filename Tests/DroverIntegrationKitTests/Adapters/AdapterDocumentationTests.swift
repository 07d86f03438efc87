import Drover
import DroverIntegrationKit
import Foundation
import Testing

// The adapter example of Docs/integration-kit.md, verbatim (the test below keeps the two equal).

struct OrderLookup: IntegrationAdapter {
    let id = "erp"
    let version = "2.1.0"
    var policies: AdapterPolicies {
        AdapterPolicies(timeout: .seconds(5), rateLimit: AdapterRateLimit(capacity: 10, ratePerSecond: 5), maxConcurrentCalls: 4)
    }

    func validate(_ orderID: String) -> [AdapterValidationIssue] {
        orderID.isEmpty ? [AdapterValidationIssue(field: "orderID", message: "must not be empty")] : []
    }

    func execute(_ orderID: String, context: AdapterContext) async throws -> Response {
        try await context.fetch(try Request(url: "https://erp.example.com/orders/\(orderID)"))
    }

    func transform(_ response: Response) async throws -> JSONValue {
        guard response.status == 200 else { throw AdapterError.unexpectedStatus(adapter: id, status: response.status) }
        return try await response.json()
    }
}

enum Upstreams {
    static let metrics = try! IntegrationMetrics()
    static let adapters = try! AdapterRegistry([OrderLookup()], metrics: metrics)
}

enum AdapterDocumentation {
    static func routes() -> Router {
        var router = Router()

        router.get("/orders/:id") { request, env, ctx in
            let client = try Upstreams.adapters.client(env: env, ctx: ctx, state: "CACHE")
            return .json(try await client.call(OrderLookup(), request.param("id") ?? ""))
        }
        router.get("/health") { _, env, ctx in
            try await Upstreams.adapters.client(env: env, ctx: ctx, state: "CACHE").health().response()
        }
        router.get("/metrics") { _, env, ctx in
            await (try Upstreams.adapters.client(env: env, ctx: ctx, state: "CACHE")).refreshCircuitBreakerGauges()
            return Upstreams.metrics.registry.response()
        }

        return router
    }
}

@Suite("Adapters: the documentation's example")
struct AdapterDocumentationTests {
    @Test("the adapter example of Docs/integration-kit.md is in this file, paragraph by paragraph")
    func exampleMatches() throws {
        let blocks = try DocumentedExamples.swiftBlocks(in: "Docs/integration-kit.md", section: "## Adapters")
        #expect(blocks.count == 1)
        for paragraph in try DocumentedExamples.paragraphsMissing(from: #filePath, blocks) {
            Issue.record("not in AdapterDocumentationTests.swift:\n\(paragraph)")
        }
    }

    @Test("the example validates, calls through its policies and reports its health")
    func exampleRuns() async throws {
        let adapter = OrderLookup()
        #expect(adapter.validate("") == [AdapterValidationIssue(field: "orderID", message: "must not be empty")])
        #expect(adapter.policies.maxConcurrentCalls == 4)
        #expect(adapter.policies.rateLimit?.capacity == 10)
        let router = AdapterDocumentation.routes()
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        let storage = try TemporaryKV(clock: clock)
        let fetcher = ScriptedAdapterFetcher([.ok])
        let env = Env(bindings: ["CACHE": .kv(storage.kv)], fetch: fetcher, clock: clock)
        // The scripted upstream answers text, not JSON: the upstream's fault, a 502.
        let order = try await router.fetch(try Request(url: "https://worker.example/orders/7"), env: env, ctx: ExecutionContext(logger: .disabled))
        #expect(order.status == 502)
        #expect(try await order.json() == ["error": "bad gateway"])
        #expect(fetcher.sent.map(\.url) == ["https://erp.example.com/orders/7"])
        let health = try await router.fetch(try Request(url: "https://worker.example/health"), env: env, ctx: ExecutionContext(logger: .disabled))
        #expect(health.status == 200)
        let metrics = try await router.fetch(try Request(url: "https://worker.example/metrics"), env: env, ctx: ExecutionContext(logger: .disabled))
        #expect(try await metrics.text().contains(#"integration_circuit_breaker_state{adapter_id="erp"} 0"#))
    }
}
