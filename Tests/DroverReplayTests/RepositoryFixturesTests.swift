import Drover
import DroverExamples
import DroverIntegrationKit
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
        registry.register(durableObject: "KitState", KitStateObject.self)
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

    /// The sample app with its breakers, buckets and idempotency records in Durable Objects
    /// (`KIT_STATE` bound to the kit's `KitStateObject`) instead of KV: every fixture of the
    /// routes that use them answers the same.
    @Test(arguments: ["Fixtures/payments", "Fixtures/shopify", "Fixtures/email", "Fixtures/oauth", "Fixtures/ops"])
    func sampleAppFixturesPassWithStateInDurableObjects(folder: String) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("drover-do-state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for item in ["Fixtures", "migrations", "Examples"] {
            try FileManager.default.copyItem(atPath: Self.projectRoot + "/" + item, toPath: root + "/" + item)
        }
        let config = try String(contentsOfFile: Self.projectRoot + "/wrangler-like.toml", encoding: .utf8)
        try (config + """

            [[durable_objects.bindings]]
            name = "KIT_STATE"
            class_name = "KitState"

            [[migrations]]
            tag = "v1"
            new_sqlite_classes = ["KitState"]

            """).write(toFile: root + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        if folder == "Fixtures/payments" {
            // The record is in its object (whose alarm forgets it in 24 h), not in KV.
            let path = root + "/Fixtures/payments/create.json"
            guard case .object(var fixture) = try JSONParser.parse(try String(contentsOfFile: path, encoding: .utf8)) else { return }
            var expect = fixture["expect"]?.objectValue ?? JSONObject()
            expect["durableObjects"] = ["KIT_STATE": ["payments:order-1001": ["alarm": 1_767_312_000_000]]]
            expect["kv"] = ["IDEMPOTENCY": ["payments:order-1001": ["absent": true]]]
            fixture["expect"] = .object(expect)
            try JSONSerializer.prettyString(.object(fixture)).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let passed = try await FixtureSuite(folder, registry: Self.registry, projectRoot: root).run()
        #expect(passed >= 6)
    }
}
