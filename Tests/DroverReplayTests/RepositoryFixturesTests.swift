import Drover
import DroverExamples
import DroverIntegrations
import DroverTesting
import Foundation
import Testing

/// Every fixture under `Fixtures/` replays green against the workers the `drover` binary ships.
@Suite struct RepositoryFixturesTests {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static var registry: WorkerRegistry {
        var registry = WorkerRegistry()
        registry.register("integrations", IntegrationsWorker())
        registry.register("playground", PlaygroundWorker())
        registry.register(durableObject: "Counter", PlaygroundCounter.self)
        registry.register("bench-hello", BenchHelloWorker())
        return registry
    }

    @Test func playgroundFixturesPass() async throws {
        let passed = try await FixtureSuite("Fixtures/playground", registry: Self.registry, projectRoot: Self.projectRoot).run()
        print("Fixtures/playground: \(passed) fixtures passed")
        // At least 25, so that every route and consumer action of Docs/playground.md has a fixture.
        #expect(passed >= 25)
    }

    @Test func shopifyFixturesPass() async throws {
        let passed = try await FixtureSuite("Fixtures/shopify", registry: Self.registry, projectRoot: Self.projectRoot).run()
        print("Fixtures/shopify: \(passed) fixtures passed")
        // At least 25: each topic, every kind of refused signature, duplicates, conflicts, the
        // customer merge, poison messages, push and pull against failing upstreams, the schedule.
        #expect(passed >= 25)
    }

    @Test func clerkFixturesPass() async throws {
        let passed = try await FixtureSuite("Fixtures/clerk", registry: Self.registry, projectRoot: Self.projectRoot).run()
        print("Fixtures/clerk: \(passed) fixtures passed")
        // Every refusal of a session token and of a Svix signature, the JWKS cache and its outages,
        // the user-sync consumer's ordering.
        #expect(passed >= 30)
    }

    @Test(
        "the rest of the sample app's fixtures pass",
        arguments: [("Fixtures/email", 12), ("Fixtures/payments", 12), ("Fixtures/oauth", 8), ("Fixtures/ops", 6)])
    func sampleAppFixturesPass(folder: String, atLeast: Int) async throws {
        let passed = try await FixtureSuite(folder, registry: Self.registry, projectRoot: Self.projectRoot).run()
        print("\(folder): \(passed) fixtures passed")
        #expect(passed >= atLeast)
    }
}
