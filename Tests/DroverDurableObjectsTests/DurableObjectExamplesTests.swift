import Drover
import DroverConfig
import DroverExamples
import Foundation
import Testing

/// The README's Durable Objects: a rate limiter per client and an idempotency lock, under
/// concurrency on a frozen clock.
@Suite("README's Durable Objects")
struct DurableObjectExamplesTests {
    private func harness() throws -> DurableObjectsHarness {
        var registry = WorkerRegistry()
        registry.register(durableObject: "ClientRateLimiter", ClientRateLimiter.self)
        registry.register(durableObject: "IdempotencyLock", IdempotencyLock.self)
        let config = DroverConfig(
            configPath: "/virtual/wrangler-like.toml", name: "readme", main: "readme", compatibilityDate: "2026-01-01",
            durableObjects: [
                DurableObjectBindingConfig(name: "LIMITER", className: "ClientRateLimiter"),
                DurableObjectBindingConfig(name: "LOCKS", className: "IdempotencyLock"),
            ],
            migrations: [DurableObjectMigrationConfig(tag: "v1", newSQLiteClasses: ["ClientRateLimiter", "IdempotencyLock"])])
        return try DurableObjectsHarness.make(config: config, registry: registry)
    }

    @Test("50 concurrent requests of one client: exactly 10 go ahead; another client is not affected; tokens come back")
    func rateLimiterPerClient() async throws {
        let harness = try harness()
        let limiter = try harness.namespace("LIMITER")
        let client = limiter.getByName("203.0.113.7")
        let waits = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<50 { group.addTask { try await client.call(ClientRateLimiter.self) { try $0.take() } } }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(waits.filter { $0 == nil }.count == 10)
        #expect(waits.compactMap { $0 }.allSatisfy { $0 == 6 }, "one token comes back every 6 s")
        #expect(try await limiter.getByName("198.51.100.1").call(ClientRateLimiter.self) { try $0.take() } == nil)
        harness.clock.advance(by: 6)
        #expect(try await client.call(ClientRateLimiter.self) { try $0.take() } == nil)
        #expect(try await client.call(ClientRateLimiter.self) { try $0.take() } == 6)
        await harness.host.shutdown()
    }

    @Test("an idempotency key: one of 20 concurrent claims wins; repeats wait, then get the answer; another body conflicts")
    func idempotencyLock() async throws {
        let harness = try harness()
        let lock = try harness.namespace("LOCKS").getByName("order-42")
        let claims = try await withThrowingTaskGroup(of: IdempotencyLock.Claim.self) { group in
            for _ in 0..<20 { group.addTask { try await lock.call(IdempotencyLock.self) { try $0.claim(fingerprint: "body-a", lease: 30) } } }
            return try await group.reduce(into: [IdempotencyLock.Claim]()) { $0.append($1) }
        }
        #expect(claims.filter { $0 == .acquired }.count == 1)
        #expect(claims.filter { $0 == .inProgress }.count == 19)
        #expect(try await lock.call(IdempotencyLock.self) { try $0.claim(fingerprint: "body-b", lease: 30) } == .conflict)
        try await lock.call(IdempotencyLock.self) { try $0.complete(["charged": 4200]) }
        #expect(try await lock.call(IdempotencyLock.self) { try $0.claim(fingerprint: "body-a", lease: 30) } == .completed(["charged": 4200]))
        // A day later the alarm has deleted the record: the key is free.
        await harness.advance(86_400)
        #expect(try await lock.call(IdempotencyLock.self) { try $0.claim(fingerprint: "body-b", lease: 30) } == .acquired)
        await harness.host.shutdown()
    }

    @Test("a claim whose holder crashed expires after its lease")
    func crashedHolder() async throws {
        let harness = try harness()
        let lock = try harness.namespace("LOCKS").getByName("order-7")
        #expect(try await lock.call(IdempotencyLock.self) { try $0.claim(fingerprint: "a", lease: 30) } == .acquired)
        harness.clock.advance(by: 29)
        #expect(try await lock.call(IdempotencyLock.self) { try $0.claim(fingerprint: "a", lease: 30) } == .inProgress)
        harness.clock.advance(by: 1)
        #expect(try await lock.call(IdempotencyLock.self) { try $0.claim(fingerprint: "a", lease: 30) } == .acquired)
        await harness.host.shutdown()
    }
}
