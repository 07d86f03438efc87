import Drover
import Foundation

/// The stored side of ``TokenBucket`` and ``LeakyBucket``: one record per bucket name under
/// `keyPrefix + name` in a ``KitStateStore``, read, changed by ``BucketMeter`` and written back in
/// one update, never held in memory between calls.
///
/// A record expires when the bucket would be full and unpaused again (in KV at least 60 s later, the
/// platform's minimum), since an absent record reads as a full bucket. A record that does not
/// decode, holds a number that is not finite, or claims an instant further ahead than
/// ``maximumDelay`` (corrupt, or written under a clock far ahead) is read as a full bucket too.
struct StoredBucket<Record: BucketRecord>: Sendable {
    let store: any KitStateStore
    let clock: any WallClock
    let meter: BucketMeter
    let keyPrefix: String
    /// The longest any caller is held back, in microseconds.
    let maximumDelay: Int64

    /// Checks the configuration the public initializers were given.
    init(store: any KitStateStore, clock: any WallClock, capacity: Double, rate: Double, keyPrefix: String, maximumDelay: Duration) throws(RateLimitError)
    {
        guard capacity.isFinite, capacity > 0 else {
            throw .invalidConfiguration(keyPrefix, "capacity must be positive and finite, not \(capacity)")
        }
        guard rate.isFinite, rate > 0 else {
            throw .invalidConfiguration(keyPrefix, "rate must be positive and finite, not \(rate)")
        }
        guard maximumDelay >= .zero else {
            throw .invalidConfiguration(keyPrefix, "maximumDelay must not be negative, not \(maximumDelay)")
        }
        self.store = store
        self.clock = clock
        self.meter = BucketMeter(capacity: capacity, ratePerSecond: rate)
        self.keyPrefix = keyPrefix
        self.maximumDelay = Microseconds.of(maximumDelay)
    }

    /// Takes `count` tokens from bucket `name`, waiting when `policy` allows it.
    func acquire(_ name: String, count: Double, policy: RateLimitPolicy) async throws -> RateLimitGrant {
        guard count.isFinite, count > 0, count <= meter.capacity else {
            throw RateLimitError.invalidAmount(
                name,
                "asked for \(count) of a bucket of \(meter.capacity); it must be positive and at most the capacity"
            )
        }
        let maximumWait: Int64? =
            switch policy {
            case .refuse: nil
            case .wait(let atMost): min(max(0, Microseconds.of(atMost)), maximumDelay)
            }
        let key = keyPrefix + name
        let (decision, now) = try await store.update(key) { [self] current, date in
            let now = Microseconds.of(date)
            let decision = meter.take(count, from: load(current, at: now), at: now, maximumWait: maximumWait)
            guard case .granted(let state, _) = decision else { return KitStateChange(.keep, (decision, now)) }
            return KitStateChange(try save(state, at: now), (decision, now))
        }
        switch decision {
        case .refused(let retryAfter):
            throw RateLimitError.limited(name, retryAfter: Microseconds.duration(retryAfter))
        case .granted(let state, let wait):
            if wait > 0 {
                do {
                    try await clock.sleep(for: Microseconds.duration(wait))
                } catch {
                    // A cancelled waiter gives its reservation back, so the callers behind it
                    // do not wait for tokens nobody uses.
                    try? await giveBack(count, to: key)
                    throw error
                }
            }
            let remaining = meter.refilled(state, at: Microseconds.adding(now, wait)).tokens
            return RateLimitGrant(waited: Microseconds.duration(wait), remaining: remaining)
        }
    }

    /// The room in bucket `name` now (tokens; negative while reservations are outstanding).
    func room(_ name: String) async throws -> Double {
        let now = Microseconds.of(clock.now())
        return meter.refilled(load(try await store.read(keyPrefix + name), at: now), at: now).tokens
    }

    /// Applies an upstream's feedback to bucket `name`: its call limit sets the level, its
    /// retry-after pauses the bucket (for at most ``maximumDelay``).
    func apply(_ feedback: RateLimitFeedback, to name: String) async throws {
        guard !feedback.isEmpty else { return }
        try await store.update(keyPrefix + name) { [self] current, date in
            let now = Microseconds.of(date)
            var state = meter.refilled(load(current, at: now), at: now)
            if let limit = feedback.callLimit {
                state = meter.observed(used: limit.used, limit: limit.limit, in: state, at: now)
            }
            if let retryAt = feedback.retryAt {
                let until = min(Microseconds.of(retryAt), Microseconds.adding(now, maximumDelay))
                if until > now { state = meter.paused(until: until, in: state, at: now) }
            }
            return KitStateChange(try save(state, at: now), ())
        }
    }

    private func giveBack(_ count: Double, to key: String) async throws {
        try await store.update(key) { [self] current, date in
            let now = Microseconds.of(date)
            var state = meter.refilled(load(current, at: now), at: now)
            state.tokens = min(meter.capacity, state.tokens + count)
            return KitStateChange(try save(state, at: now), ())
        }
    }

    private func load(_ bytes: [UInt8]?, at now: Int64) -> BucketMeter.State {
        guard let bytes, let record = try? JSONDecoder().decode(Record.self, from: Data(bytes)) else { return meter.full(at: now) }
        var state = record.state(capacity: meter.capacity)
        let horizon = Microseconds.adding(now, maximumDelay)
        // The deepest debt reservations can leave: waits are capped at `maximumDelay`.
        let deepest = -(meter.capacity + meter.ratePerSecond * Double(maximumDelay) / 1_000_000)
        guard state.tokens.isFinite, state.tokens >= deepest, state.updatedAt <= horizon, state.pausedUntil <= horizon else {
            return meter.full(at: now)
        }
        // A record written for a larger capacity holds at most this one's.
        state.tokens = min(state.tokens, meter.capacity)
        return state
    }

    /// The write that stores `state`, kept until the bucket would be full and unpaused again.
    private func save(_ state: BucketMeter.State, at now: Int64) throws -> KitStateWrite {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let bytes = try encoder.encode(Record(state, capacity: meter.capacity))
        return .put(Array(bytes), expiresAt: Microseconds.date(Microseconds.adding(now, meter.lifetime(of: state, at: now))))
    }
}
