import Drover

/// A token bucket per name (per shop, per API key, per client), kept in a KV namespace: up to
/// ``capacity`` tokens, refilled continuously at ``refillPerSecond``; a call spends tokens or is
/// held back. Bursts up to the capacity go through at once; the sustained rate is the refill rate.
///
/// ```swift
/// let bucket = try TokenBucket(kv: try env.kv("RATE_LIMITS"), clock: env.clock, capacity: 10, refillPerSecond: 2)
/// try await bucket.acquire("client:\(apiKey)")                              // 429 when empty
/// try await bucket.acquire("upstream", policy: .wait(atMost: .seconds(5)))  // or wait for a token
/// ```
///
/// **State.** Each name has one record under ``keyPrefix`` + name, JSON
/// `{"lastRefill": <µs since the epoch>, "tokens": 3.5}` (plus `"pausedUntil"` while paused):
/// tokens are fractional and kept as they are, the refill instant in whole microseconds. An absent,
/// expired or corrupt record is a full bucket; records expire (KV `expirationTtl`, at least 60 s)
/// once the bucket would be full again. Time is read and waited on only through `clock`.
///
/// **Waiting.** With ``RateLimitPolicy/wait(atMost:)`` a call reserves its tokens at once (the
/// level goes negative) and sleeps exactly until the refill covers them; callers that wait are
/// served in the order they asked. Waits never exceed ``maximumDelay``.
///
/// **Feedback.** ``update(_:from:)`` reads an upstream's `X-Shopify-Shop-Api-Call-Limit` (the level
/// becomes what the upstream has left) and `Retry-After` (nothing is granted until then; the bucket
/// is drained and refills from that moment).
///
/// **Consistency.** Within one Drover process the bucket is exact: the read and write of a record
/// are serialized per key and Drover's KV is strongly consistent. On the Workers platform KV is
/// eventually consistent (a write can take 60 s or more to reach other locations) and limited to
/// one write per second per key, so a bucket in KV is an approximation there — good for being
/// polite to an upstream, not for enforcing a quota. A strict limit needs a Durable Object (one
/// object per bucket name) or D1.
public struct TokenBucket: Sendable {
    /// The most tokens a bucket holds: the largest burst.
    public var capacity: Double { engine.meter.capacity }
    /// Tokens added per second.
    public var refillPerSecond: Double { engine.meter.ratePerSecond }
    /// The prefix of every bucket's KV key.
    public var keyPrefix: String { engine.keyPrefix }
    /// The longest a call is held back: longer waits are refused, longer `Retry-After` pauses
    /// shortened to it.
    public var maximumDelay: Duration { Microseconds.duration(engine.maximumDelay) }

    private let engine: StoredBucket<TokenBucketRecord>

    /// A token bucket over `kv`.
    /// - Parameters:
    ///   - kv: where the levels live (the worker's binding, e.g. `env.kv("RATE_LIMITS")`).
    ///   - clock: the only clock read and slept on: `env.clock`.
    ///   - capacity: the most tokens a bucket holds.
    ///   - refillPerSecond: tokens added per second (fractions allowed: `0.5` is one every 2 s).
    ///   - keyPrefix: prepended to each bucket's name to make its key; `ratelimit:token:` by default.
    ///   - maximumDelay: the longest a call is held back; one hour by default.
    /// - Throws: ``RateLimitError`` (`.invalidConfiguration`) when the capacity or rate is not
    ///   positive and finite, or the maximum delay negative.
    public init(
        kv: any KVNamespace,
        clock: any WallClock,
        capacity: Double,
        refillPerSecond: Double,
        keyPrefix: String = "ratelimit:token:",
        maximumDelay: Duration = .seconds(3_600)
    ) throws(RateLimitError) {
        try self.init(store: KVStateStore(kv: kv, clock: clock), clock: clock, capacity: capacity, refillPerSecond: refillPerSecond, keyPrefix: keyPrefix, maximumDelay: maximumDelay)
    }

    /// A token bucket over `store`: KV (``KVStateStore``), best effort on the platform, or Durable Objects
    /// (``DurableObjectStateStore``), one object per bucket name, exact everywhere.
    /// - Throws: as ``init(kv:clock:capacity:refillPerSecond:keyPrefix:maximumDelay:)``.
    public init(
        store: any KitStateStore,
        clock: any WallClock,
        capacity: Double,
        refillPerSecond: Double,
        keyPrefix: String = "ratelimit:token:",
        maximumDelay: Duration = .seconds(3_600)
    ) throws(RateLimitError) {
        engine = try StoredBucket(store: store, clock: clock, capacity: capacity, rate: refillPerSecond, keyPrefix: keyPrefix, maximumDelay: maximumDelay)
    }

    /// Takes `tokens` from bucket `name`, or holds the call back as `policy` says.
    /// - Returns: how long the call waited and the tokens left.
    /// - Throws: ``RateLimitError`` `.limited` (429, with the retry-after) when the tokens are not
    ///   there and `policy` refuses or would wait longer than it allows — nothing is taken then;
    ///   `.invalidAmount` for a count that is not positive or exceeds ``capacity``; the KV
    ///   binding's errors; `CancellationError` when cancelled during a wait (the reserved tokens
    ///   are given back).
    @discardableResult
    public func acquire(_ name: String, tokens: Double = 1, policy: RateLimitPolicy = .refuse) async throws -> RateLimitGrant {
        try await engine.acquire(name, count: tokens, policy: policy)
    }

    /// The tokens in bucket `name` now; negative while reserved tokens are being waited for.
    /// - Throws: the KV binding's errors.
    public func tokens(_ name: String) async throws -> Double {
        try await engine.room(name)
    }

    /// Sets bucket `name` from an upstream response's headers (`X-Shopify-Shop-Api-Call-Limit`,
    /// `Retry-After`; see ``RateLimitFeedback``). Headers without either change nothing.
    /// - Returns: the feedback read.
    /// - Throws: the KV binding's errors.
    @discardableResult
    public func update(_ name: String, from headers: Headers) async throws -> RateLimitFeedback {
        let feedback = RateLimitFeedback(headers: headers, now: engine.clock.now())
        try await engine.apply(feedback, to: name)
        return feedback
    }

    /// Sets bucket `name` from feedback already parsed.
    /// - Throws: the KV binding's errors.
    public func update(_ name: String, with feedback: RateLimitFeedback) async throws {
        try await engine.apply(feedback, to: name)
    }
}
