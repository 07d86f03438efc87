import Drover

/// A leaky bucket per name, kept in a KV namespace: each call pours into the bucket, which holds
/// at most ``capacity`` and drains at ``leakPerSecond``. A call that fits goes ahead at once; one
/// that does not is refused with the time until it would fit, or — when the caller chooses to
/// wait — delayed by exactly that time. This is the model of Shopify's REST Admin API: a bucket of
/// 40 calls leaking 2 per second, reported back in `X-Shopify-Shop-Api-Call-Limit: 32/40`.
///
/// ```swift
/// let shopify = try LeakyBucket(kv: try env.kv("CACHE"), clock: env.clock, capacity: 40, leakPerSecond: 2)
/// try await shopify.acquire(shop, policy: .wait(atMost: .seconds(10)))
/// let response = try await env.fetch.fetch(request)
/// try await shopify.update(shop, from: response.headers)   // the shop's own count, Retry-After on a 429
/// ```
///
/// **State.** One record per name under ``keyPrefix`` + name, JSON
/// `{"lastLeak": <µs since the epoch>, "level": 36.5}` (plus `"pausedUntil"` while paused). The
/// level is fractional and kept as it is; it exceeds the capacity while reserved calls are waiting.
/// An absent, expired or corrupt record is an empty bucket; records expire (KV `expirationTtl`, at
/// least 60 s) once the bucket would be empty again. Time is read and waited on only through
/// `clock`.
///
/// **Feedback.** ``update(_:from:)`` sets the level to the upstream's `used` (plus the calls still
/// waiting here) and, on `Retry-After`, fills the bucket and lets nothing through until then.
///
/// **Consistency.** Exact within one Drover process (reads and writes of a record are serialized
/// per key; Drover's KV is strongly consistent). On the Workers platform KV is eventually
/// consistent across locations and takes one write per second per key, so the bucket is an
/// approximation there; the upstream's header feedback corrects it on every response. For a strict
/// limit use a Durable Object per bucket name, or D1.
public struct LeakyBucket: Sendable {
    /// The most the bucket holds.
    public var capacity: Double { engine.meter.capacity }
    /// How much drains per second.
    public var leakPerSecond: Double { engine.meter.ratePerSecond }
    /// The prefix of every bucket's KV key.
    public var keyPrefix: String { engine.keyPrefix }
    /// The longest a call is held back: longer waits are refused, longer `Retry-After` pauses
    /// shortened to it.
    public var maximumDelay: Duration { Microseconds.duration(engine.maximumDelay) }

    private let engine: StoredBucket<LeakyBucketRecord>

    /// A leaky bucket over `kv`.
    /// - Parameters:
    ///   - kv: where the levels live.
    ///   - clock: the only clock read and slept on: `env.clock`.
    ///   - capacity: the most the bucket holds (Shopify REST: 40; Shopify Plus: 80).
    ///   - leakPerSecond: how much drains per second (Shopify REST: 2; Plus: 4).
    ///   - keyPrefix: prepended to each bucket's name to make its key; `ratelimit:leaky:` by default.
    ///   - maximumDelay: the longest a call is held back; one hour by default.
    /// - Throws: ``RateLimitError`` (`.invalidConfiguration`) when the capacity or leak rate is not
    ///   positive and finite, or the maximum delay negative.
    public init(
        kv: any KVNamespace,
        clock: any WallClock,
        capacity: Double,
        leakPerSecond: Double,
        keyPrefix: String = "ratelimit:leaky:",
        maximumDelay: Duration = .seconds(3_600)
    ) throws(RateLimitError) {
        try self.init(store: KVStateStore(kv: kv, clock: clock), clock: clock, capacity: capacity, leakPerSecond: leakPerSecond, keyPrefix: keyPrefix, maximumDelay: maximumDelay)
    }

    /// A leaky bucket over `store`: KV (``KVStateStore``), best effort on the platform, or Durable Objects
    /// (``DurableObjectStateStore``), one object per bucket name, exact everywhere.
    /// - Throws: as ``init(kv:clock:capacity:leakPerSecond:keyPrefix:maximumDelay:)``.
    public init(
        store: any KitStateStore,
        clock: any WallClock,
        capacity: Double,
        leakPerSecond: Double,
        keyPrefix: String = "ratelimit:leaky:",
        maximumDelay: Duration = .seconds(3_600)
    ) throws(RateLimitError) {
        engine = try StoredBucket(store: store, clock: clock, capacity: capacity, rate: leakPerSecond, keyPrefix: keyPrefix, maximumDelay: maximumDelay)
    }

    /// Pours `amount` into bucket `name` (one call: 1), or holds the call back as `policy` says.
    /// - Returns: how long the call waited, and the room left (`capacity - level`).
    /// - Throws: ``RateLimitError`` `.limited` (429, with the retry-after) when it does not fit and
    ///   `policy` refuses or would wait longer than it allows — nothing is poured then;
    ///   `.invalidAmount` for an amount that is not positive or exceeds ``capacity``; the KV
    ///   binding's errors; `CancellationError` when cancelled during a wait (the amount is taken
    ///   back out).
    @discardableResult
    public func acquire(_ name: String, amount: Double = 1, policy: RateLimitPolicy = .refuse) async throws -> RateLimitGrant {
        try await engine.acquire(name, count: amount, policy: policy)
    }

    /// How full bucket `name` is now; above ``capacity`` while reserved calls are waiting.
    /// - Throws: the KV binding's errors.
    public func level(_ name: String) async throws -> Double {
        capacity - (try await engine.room(name))
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
