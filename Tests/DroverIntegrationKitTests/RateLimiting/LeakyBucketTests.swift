import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

/// A leaky bucket shaped as Shopify's REST Admin API limit (40 calls, 2 per second) on a real
/// file-backed KV and a manual clock.
@Suite("Leaky bucket")
struct LeakyBucketTests {
    static func shopify(_ namespace: StateTestNamespace) throws -> LeakyBucket {
        try LeakyBucket(kv: namespace.kv, clock: namespace.clock, capacity: 40, leakPerSecond: 2)
    }

    @Test("forty calls fit at once; the forty-first is refused until half a second has leaked")
    func fitsThenRefuses() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.shopify(namespace)
        for _ in 0..<40 { try await bucket.acquire("shop") }
        #expect(try await bucket.level("shop") == 40)
        let error = try await #require(throws: RateLimitError.self) { try await bucket.acquire("shop") }
        #expect(error.retryAfter == .milliseconds(500))
        namespace.clock.advance(by: 0.5)
        #expect(try await bucket.level("shop") == 39)
        #expect(try await bucket.acquire("shop").remaining == 0)
        let record = try #require(try await namespace.record("ratelimit:leaky:shop"))
        #expect(record["level"] == 40)
        #expect(record["lastLeak"] == .integer(1_767_225_600_500_000))
    }

    @Test("a call that does not fit is delayed by exactly the time it takes to fit")
    func delayed() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.shopify(namespace)
        try await bucket.acquire("shop", amount: 39)
        namespace.clock.advance(by: 0.25)  // 38.5 in the bucket
        let grant = try await bucket.acquire("shop", amount: 3, policy: .wait(atMost: .seconds(1)))
        #expect(grant.waited == .milliseconds(750))
        #expect(StateTestNamespace.elapsed(namespace.clock) == 1_000_000)
        #expect(try await bucket.level("shop") == 40)
    }

    @Test("the shop's reported count sets the level")
    func callLimitFeedback() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.shopify(namespace)
        try await bucket.update("shop", from: Headers([("x-shopify-shop-api-call-limit", "39/40")]))
        #expect(try await bucket.level("shop") == 39)
        try await bucket.acquire("shop")
        await #expect(throws: RateLimitError.self) { try await bucket.acquire("shop") }
        try await bucket.update("shop", from: Headers([("x-shopify-shop-api-call-limit", "12/40")]))
        #expect(try await bucket.level("shop") == 12)
    }

    @Test("a reported count keeps the calls still waiting here, which the shop has not seen")
    func callLimitKeepsReservations() async throws {
        let namespace = try StateTestNamespace()
        let clock = QueuedSleepClock(StateTestNamespace.start)
        let bucket = try LeakyBucket(kv: try namespace.namespace(clock: clock), clock: clock, capacity: 40, leakPerSecond: 2)
        try await bucket.acquire("shop", amount: 40)
        let waiter = Task { try await bucket.acquire("shop", policy: .wait(atMost: .seconds(1))) }
        await clock.waitForSleeper()
        #expect(try await bucket.level("shop") == 41)
        try await bucket.update("shop", from: Headers([("x-shopify-shop-api-call-limit", "40/40")]))
        #expect(try await bucket.level("shop") == 41)
        clock.resumeNextSleep()
        #expect(try await waiter.value.waited == .milliseconds(500))
        #expect(clock.slept == [.milliseconds(500)])
        #expect(try await bucket.level("shop") == 40)
    }

    @Test("a 429's Retry-After fills the bucket and lets nothing through until then")
    func retryAfterFeedback() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.shopify(namespace)
        try await bucket.acquire("shop", amount: 10)
        let feedback = try await bucket.update("shop", from: Headers([("Retry-After", "2.0")]))
        #expect(feedback.retryAt == StateTestNamespace.start.addingTimeInterval(2))
        #expect(try await bucket.level("shop") == 40)
        let grant = try await bucket.acquire("shop", policy: .wait(atMost: .seconds(5)))
        #expect(grant.waited == .seconds(2))
        // Four leaked during the pause; this call took one of them.
        #expect(try await bucket.level("shop") == 37)
    }

    @Test("headers without rate-limit fields change nothing")
    func unrelatedHeaders() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.shopify(namespace)
        try await bucket.acquire("shop", amount: 5)
        let feedback = try await bucket.update("shop", from: Headers([("content-type", "application/json"), ("retry-after", "soon")]))
        #expect(feedback.isEmpty)
        #expect(try await bucket.level("shop") == 5)
    }
}
