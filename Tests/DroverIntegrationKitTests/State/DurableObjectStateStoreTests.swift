import Drover
import DroverIntegrationKit
import DroverTesting
import Foundation
import Testing

/// The kit's records in Durable Objects (``DurableObjectStateStore``): the same behaviour as in KV,
/// exact under concurrency, records expiring by their objects' alarms.
@Suite("Kit state in Durable Objects")
struct DurableObjectStateStoreTests {
    /// A client whose config binds `KIT_STATE` to ``KitStateObject`` and `CACHE` to KV.
    private static func client() async throws -> TestClient {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drover-kit-do-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = folder + "/wrangler-like.toml"
        try """
        name = "kit"
        main = "kit"
        [[kv_namespaces]]
        binding = "CACHE"
        id = "cache"
        [[durable_objects.bindings]]
        name = "KIT_STATE"
        class_name = "KitState"
        [[migrations]]
        tag = "v1"
        new_sqlite_classes = ["KitState"]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return try await TestClient(
            worker: ClosureWorker(fetch: { _, _, _ in Response("") }), config: config, durableObjects: ["KitState": KitStateObject.self])
    }

    @Test("env.kitStateStore chooses by the binding: Durable Objects for a namespace, KV for a KV namespace")
    func choosesByBinding() async throws {
        let client = try await Self.client()
        #expect(try client.env.kitStateStore("KIT_STATE") is DurableObjectStateStore)
        #expect(try client.env.kitStateStore("CACHE") is KVStateStore)
        #expect(throws: WorkerError.self) { _ = try client.env.kitStateStore("NOPE") }
        await client.close()
    }

    @Test("20 concurrent duplicates of an idempotent operation run it once and all answer its result")
    func idempotencyRunsOnce() async throws {
        let client = try await Self.client()
        let idempotency = Idempotency(store: try client.env.kitStateStore("KIT_STATE"), clock: client.clock, pollInterval: .milliseconds(10))
        let runs = Counter()
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await idempotency.run(key: "charge-1", fingerprint: "body") { () async throws -> String in
                        runs.increment()
                        try await client.clock.sleep(for: .seconds(1))
                        return "charged"
                    }
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(runs.count == 1)
        #expect(results == Array(repeating: "charged", count: 20))
        await #expect(throws: IdempotencyError.self) {
            _ = try await idempotency.run(key: "charge-1", fingerprint: "another body") { "no" }
        }
        await client.close()
    }

    @Test("a token bucket of 5 grants exactly 5 of 20 concurrent calls, and refills on the clock")
    func bucketIsExact() async throws {
        let client = try await Self.client()
        let bucket = try TokenBucket(store: try client.env.kitStateStore("KIT_STATE"), clock: client.clock, capacity: 5, refillPerSecond: 1)
        let granted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { (try? await bucket.acquire("shop")) != nil } }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 5)
        client.clock.advance(by: 2)
        #expect(try await bucket.tokens("shop") == 2)
        await client.close()
    }

    @Test("a breaker opens at its failure threshold, refuses, and half-opens after its wait")
    func breakerTransitions() async throws {
        let client = try await Self.client()
        let configuration = CircuitBreakerConfiguration(
            failureRateThreshold: 50, slidingWindow: .count(4), minimumNumberOfCalls: 4, waitDurationInOpenState: .seconds(30))
        let breaker = CircuitBreaker(name: "upstream", configuration: configuration, store: try client.env.kitStateStore("KIT_STATE"), clock: client.clock)
        for _ in 0..<4 {
            _ = try? await breaker.run { () async throws -> Int in throw FetchError(kind: .timeout, message: "upstream timed out") }
        }
        #expect(try await breaker.state() == .open)
        await #expect(throws: ResilienceError.self) { _ = try await breaker.run { 1 } }
        client.clock.advance(by: 30)
        #expect(try await breaker.state() == .halfOpen)
        await client.close()
    }

    @Test("a record expires at its time: read answers nil, and the object's alarm deletes it")
    func recordsExpire() async throws {
        let client = try await Self.client()
        let store = try client.env.kitStateStore("KIT_STATE")
        let now = client.clock.now()
        try await store.update("k") { current, _ in KitStateChange(.put(Array("v".utf8), expiresAt: now.addingTimeInterval(10)), ()) }
        #expect(try await store.read("k") == Array("v".utf8))
        await client.advance(by: 10)
        #expect(try await store.read("k") == nil)
        let objects = try await client.env.durableObjects("KIT_STATE").getByName("k").call(KitStateObject.self) { try $0.read() }
        #expect(objects == nil)
        await client.close()
    }
}
