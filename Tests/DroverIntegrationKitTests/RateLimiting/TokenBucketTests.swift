import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

/// A token bucket on a real file-backed KV and a manual clock: exact levels, refusals and waits.
@Suite("Token bucket")
struct TokenBucketTests {
    static func make(_ namespace: StateTestNamespace, capacity: Double = 5, rate: Double = 2) throws -> TokenBucket {
        try TokenBucket(kv: namespace.kv, clock: namespace.clock, capacity: capacity, refillPerSecond: rate)
    }

    @Test("a full bucket lets a burst of its capacity through, then refuses with the exact retry-after")
    func burstThenRefusal() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        for expected in [4.0, 3, 2, 1, 0] {
            #expect(try await bucket.acquire("shop") == RateLimitGrant(waited: .zero, remaining: expected))
        }
        let error = try await #require(throws: RateLimitError.self) { try await bucket.acquire("shop") }
        #expect(error.code == .limited)
        #expect(error.retryAfter == .milliseconds(500))
        #expect(error.status == 429)
        #expect(error.headers["retry-after"] == "1")
        #expect(error.bucket == "shop")
        #expect(StateTestNamespace.elapsed(namespace.clock) == 0)
        #expect(try await bucket.tokens("shop") == 0)
    }

    @Test("tokens refill continuously and fractions are kept, in the KV record as JSON")
    func refillOverTime() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        try await bucket.acquire("shop", tokens: 5)
        namespace.clock.advance(by: 1.25)
        #expect(try await bucket.tokens("shop") == 2.5)
        #expect(try await bucket.acquire("shop", tokens: 2).remaining == 0.5)
        let record = try #require(try await namespace.record("ratelimit:token:shop"))
        #expect(record["tokens"] == 0.5)
        #expect(record["lastRefill"] == .integer(1_767_225_601_250_000))
        #expect(record["pausedUntil"] == nil)
        // A quarter second later the half token is a whole one.
        namespace.clock.advance(by: 0.25)
        #expect(try await bucket.acquire("shop").remaining == 0)
        await #expect(throws: RateLimitError.self) { try await bucket.acquire("shop") }
    }

    @Test("waiting sleeps exactly the computed time; reservations queue up behind each other")
    func waitsExactly() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        try await bucket.acquire("shop", tokens: 5)
        let first = try await bucket.acquire("shop", policy: .wait(atMost: .seconds(2)))
        #expect(first == RateLimitGrant(waited: .milliseconds(500), remaining: 0))
        #expect(StateTestNamespace.elapsed(namespace.clock) == 500_000)
        // Half a token is due when three more are asked for: 1.25 s.
        namespace.clock.advance(by: 0.25)
        let second = try await bucket.acquire("shop", tokens: 3, policy: .wait(atMost: .seconds(2)))
        #expect(second == RateLimitGrant(waited: .milliseconds(1_250), remaining: 0))
        #expect(StateTestNamespace.elapsed(namespace.clock) == 2_000_000)
        #expect(try await bucket.tokens("shop") == 0)
    }

    @Test("a wait longer than allowed is refused with the retry-after, taking nothing and not sleeping")
    func waitBeyondLimitIsRefused() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        try await bucket.acquire("shop", tokens: 5)
        let error = try await #require(throws: RateLimitError.self) {
            try await bucket.acquire("shop", tokens: 4, policy: .wait(atMost: .milliseconds(1_999)))
        }
        #expect(error.retryAfter == .seconds(2))
        #expect(StateTestNamespace.elapsed(namespace.clock) == 0)
        #expect(try await bucket.tokens("shop") == 0)
    }

    @Test("each name has its own bucket")
    func perName() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace, capacity: 1, rate: 1)
        try await bucket.acquire("shop-a")
        await #expect(throws: RateLimitError.self) { try await bucket.acquire("shop-a") }
        #expect(try await bucket.acquire("shop-b").remaining == 0)
    }

    @Test("Shopify's call limit sets the level; Retry-After pauses for exactly that long")
    func headerFeedback() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace, capacity: 40, rate: 2)
        let feedback = try await bucket.update("shop", from: Headers([("X-Shopify-Shop-Api-Call-Limit", "32/40")]))
        #expect(feedback.callLimit == RateLimitFeedback.CallLimit(used: 32, limit: 40))
        #expect(try await bucket.tokens("shop") == 8)

        try await bucket.update("shop", from: Headers([("Retry-After", "3")]))
        #expect(try await bucket.tokens("shop") == 0)
        let refused = try await #require(throws: RateLimitError.self) { try await bucket.acquire("shop") }
        #expect(refused.retryAfter == .seconds(3))
        let grant = try await bucket.acquire("shop", policy: .wait(atMost: .seconds(10)))
        #expect(grant.waited == .seconds(3))
        // The bucket refilled during the pause: 6 tokens at its end, one spent.
        #expect(grant.remaining == 5)
    }

    @Test("a Retry-After HTTP-date pauses until that instant")
    func retryAfterDate() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        // 2026-01-01T00:00:07Z, seven seconds after the test's start.
        try await bucket.update("shop", from: Headers([("retry-after", "Thu, 01 Jan 2026 00:00:07 GMT")]))
        let grant = try await bucket.acquire("shop", policy: .wait(atMost: .seconds(60)))
        #expect(grant.waited == .seconds(7))
        #expect(StateTestNamespace.elapsed(namespace.clock) == 7_000_000)
    }

    @Test("a Retry-After beyond the maximum delay is shortened to it")
    func pauseIsBounded() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try TokenBucket(kv: namespace.kv, clock: namespace.clock, capacity: 5, refillPerSecond: 2, maximumDelay: .seconds(60))
        try await bucket.update("shop", from: Headers([("retry-after", "86400")]))
        let error = try await #require(throws: RateLimitError.self) { try await bucket.acquire("shop") }
        #expect(error.retryAfter == .seconds(60))
    }

    @Test("a corrupt record reads as a full bucket")
    func corruptRecord() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        for garbage in [
            "not json", #"{"tokens": "x", "lastRefill": 1}"#, #"{"tokens": -1e300, "lastRefill": 1767225600000000}"#,
            #"{"tokens": 1, "lastRefill": 9000000000000000}"#,
        ] {
            try await namespace.kv.put("ratelimit:token:shop", garbage)
            #expect(try await bucket.tokens("shop") == 5, "\(garbage)")
        }
    }

    @Test("impossible amounts and configurations are typed errors, not traps")
    func invalidInput() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        for amount in [0, -1, 6, .nan, .infinity] as [Double] {
            let error = try await #require(throws: RateLimitError.self) { try await bucket.acquire("shop", tokens: amount) }
            #expect(error.code == .invalidAmount)
            #expect(error.status == 500)
        }
        for (capacity, rate) in [(0.0, 1.0), (1, 0), (.nan, 1), (1, .infinity), (-1, 1)] {
            #expect(throws: RateLimitError.self) {
                try TokenBucket(kv: namespace.kv, clock: namespace.clock, capacity: capacity, refillPerSecond: rate)
            }
        }
    }

    @Test("concurrent callers on one file-backed namespace spend each token exactly once")
    func concurrentCallersAreExact() async throws {
        let namespace = try StateTestNamespace()
        let granted = Counter()
        let refused = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    // One bucket value per task, as one per request in a worker.
                    guard let bucket = try? Self.make(namespace, capacity: 7, rate: 1) else { return }
                    do {
                        try await bucket.acquire("shop")
                        granted.increment()
                    } catch {
                        refused.increment()
                    }
                }
            }
        }
        #expect(granted.count == 7)
        #expect(refused.count == 33)
    }

    @Test("a cancelled waiter gives its reservation back")
    func cancelledWaiterGivesBack() async throws {
        let namespace = try StateTestNamespace()
        let bucket = try Self.make(namespace)
        try await bucket.acquire("shop", tokens: 5)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await bucket.acquire("shop", tokens: 2, policy: .wait(atMost: .seconds(5)))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await bucket.tokens("shop") == 0)
    }
}
