/// A bucket's level as its KV record stores it (JSON), in the terms of its kind.
protocol BucketRecord: Codable, Sendable {
    /// The record of `state` for a bucket of `capacity`.
    init(_ state: BucketMeter.State, capacity: Double)
    /// The state this record holds for a bucket of `capacity`.
    func state(capacity: Double) -> BucketMeter.State
}

/// A ``TokenBucket``'s record: `{"lastRefill": µs, "pausedUntil": µs, "tokens": 3.5}`, instants
/// in microseconds since the Unix epoch, `pausedUntil` absent when not paused.
struct TokenBucketRecord: BucketRecord {
    var tokens: Double
    var lastRefill: Int64
    var pausedUntil: Int64?

    init(_ state: BucketMeter.State, capacity: Double) {
        tokens = state.tokens
        lastRefill = state.updatedAt
        pausedUntil = state.pausedUntil == 0 ? nil : state.pausedUntil
    }

    func state(capacity: Double) -> BucketMeter.State {
        BucketMeter.State(tokens: tokens, updatedAt: lastRefill, pausedUntil: pausedUntil ?? 0)
    }
}

/// A ``LeakyBucket``'s record: `{"lastLeak": µs, "level": 36.5, "pausedUntil": µs}`, the level
/// being how full the bucket is (above capacity while reserved calls are still waiting).
struct LeakyBucketRecord: BucketRecord {
    var level: Double
    var lastLeak: Int64
    var pausedUntil: Int64?

    init(_ state: BucketMeter.State, capacity: Double) {
        level = capacity - state.tokens
        lastLeak = state.updatedAt
        pausedUntil = state.pausedUntil == 0 ? nil : state.pausedUntil
    }

    func state(capacity: Double) -> BucketMeter.State {
        BucketMeter.State(tokens: capacity - level, updatedAt: lastLeak, pausedUntil: pausedUntil ?? 0)
    }
}
