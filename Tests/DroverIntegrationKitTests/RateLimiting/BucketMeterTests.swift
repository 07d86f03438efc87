import Testing

@testable import DroverIntegrationKit

/// The bucket arithmetic as tables: instants in microseconds from 0, values chosen so that every
/// expected number is exact in binary floating point.
@Suite("Bucket arithmetic")
struct BucketMeterTests {
    static let meter = BucketMeter(capacity: 5, ratePerSecond: 2)

    static func state(_ tokens: Double, at updatedAt: Int64 = 0, pausedUntil: Int64 = 0) -> BucketMeter.State {
        BucketMeter.State(tokens: tokens, updatedAt: updatedAt, pausedUntil: pausedUntil)
    }

    @Test(
        "refill adds elapsed × rate, never past the capacity, never backwards",
        arguments: [
            (0.0, Int64(250_000), 0.5),  // a quarter second at 2/s
            (0.0, 1_000_000, 2.0),
            (1.5, 1_250_000, 4.0),
            (4.0, 10_000_000, 5.0),  // capped
            (-3.0, 1_000_000, -1.0),  // a debt is paid back at the same rate
            (2.0, -1_000_000, 2.0),  // an instant before the last refill changes nothing
        ]
    )
    func refill(tokens: Double, now: Int64, expected: Double) {
        let refilled = Self.meter.refilled(Self.state(tokens), at: now)
        #expect(refilled.tokens == expected)
        #expect(refilled.updatedAt == max(0, now))
    }

    @Test("a whole result stays whole at a rate of ten per second over 100 ms")
    func wholeRefillAtDecimalRate() {
        let meter = BucketMeter(capacity: 100, ratePerSecond: 10)
        var state = Self.state(0)
        for step in 1...7 { state = meter.refilled(state, at: Int64(step) * 100_000) }
        #expect(state.tokens == 7)
    }

    @Test(
        "the wait is the time the refill needs for the missing tokens, or the pause if longer",
        arguments: [
            (5.0, Int64(0), 1.0, Int64(0)),
            (0.0, 0, 1.0, 500_000),
            (0.5, 0, 1.0, 250_000),
            (-2.0, 0, 1.0, 1_500_000),  // two reserved ahead of us
            (0.0, 0, 2.5, 1_250_000),
            (5.0, 3_000_000, 1.0, 3_000_000),  // paused though full
            (0.0, 200_000, 1.0, 500_000),  // the refill outlasts the pause
        ]
    )
    func wait(tokens: Double, pausedUntil: Int64, count: Double, expected: Int64) {
        #expect(Self.meter.wait(for: count, in: Self.state(tokens, pausedUntil: pausedUntil), at: 0) == expected)
    }

    @Test("refusing takes nothing and names the wait; a wait within the limit reserves")
    func take() {
        let empty = Self.state(0.25)
        #expect(Self.meter.take(1, from: empty, at: 0, maximumWait: nil) == .refused(retryAfter: 375_000))
        #expect(Self.meter.take(1, from: empty, at: 0, maximumWait: 374_999) == .refused(retryAfter: 375_000))
        #expect(Self.meter.take(1, from: empty, at: 0, maximumWait: 375_000) == .granted(Self.state(-0.75), wait: 375_000))
        #expect(Self.meter.take(1, from: Self.state(3), at: 0, maximumWait: nil) == .granted(Self.state(2), wait: 0))
    }

    @Test("an upstream's call limit sets the level, keeping the tokens reserved here")
    func observed() {
        #expect(Self.meter.observed(used: 32, limit: 40, in: Self.state(5), at: 0).tokens == 5)  // 8 left, capacity 5
        #expect(Self.meter.observed(used: 38, limit: 40, in: Self.state(5), at: 0).tokens == 2)
        #expect(Self.meter.observed(used: 38, limit: 40, in: Self.state(-1.5), at: 0).tokens == 0.5)
        #expect(Self.meter.observed(used: 42, limit: 40, in: Self.state(5), at: 0).tokens == -2)
        #expect(Self.meter.observed(used: 0, limit: 40, in: Self.state(0), at: 250_000) == Self.state(5, at: 250_000))
    }

    @Test("a pause drains the bucket, keeps reservations, and never shortens a longer pause")
    func paused() {
        #expect(Self.meter.paused(until: 2_000_000, in: Self.state(4), at: 0) == Self.state(0, pausedUntil: 2_000_000))
        #expect(Self.meter.paused(until: 2_000_000, in: Self.state(-1), at: 0) == Self.state(-1, pausedUntil: 2_000_000))
        #expect(Self.meter.paused(until: 1_000_000, in: Self.state(4, pausedUntil: 3_000_000), at: 0).pausedUntil == 3_000_000)
    }

    @Test("a record lives until the bucket is full and unpaused again")
    func lifetime() {
        #expect(Self.meter.lifetime(of: Self.state(5), at: 0) == 0)
        #expect(Self.meter.lifetime(of: Self.state(0), at: 0) == 2_500_000)
        #expect(Self.meter.lifetime(of: Self.state(4, pausedUntil: 9_000_000), at: 0) == 9_000_000)
        #expect(Self.meter.lifetime(of: Self.state(0, at: 1_000_000), at: 2_000_000) == 1_500_000)
    }
}
