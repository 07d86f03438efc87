/// The arithmetic shared by ``TokenBucket`` and ``LeakyBucket``, in token-bucket terms: a bucket
/// holds up to `capacity` tokens and gains `ratePerSecond` of them per second. (A leaky bucket's
/// level is `capacity - tokens`; its leak rate is the refill rate.)
///
/// Pure functions of a ``State`` and an instant, in microseconds, so they are tested as tables.
/// Tokens are fractional and never rounded: `elapsed × rate / 10⁶` is computed with the
/// multiplication first, which keeps whole results (10 tokens/s over 100 ms is exactly 1) exact.
///
/// **Reservations.** A caller that agrees to wait takes its tokens at once, leaving the bucket
/// negative, and sleeps until the refill has paid the debt back: callers that wait are served in
/// the order they reserved, and a later caller sees the debt in its own wait. This is the
/// reservation of Go's `golang.org/x/time/rate` `Limiter.Reserve`.
struct BucketMeter: Sendable, Equatable {
    /// A bucket's level at an instant.
    struct State: Sendable, Equatable {
        /// Tokens available; negative while reserved tokens are still being waited for.
        var tokens: Double
        /// The instant `tokens` was computed at (the last refill), microseconds since the epoch.
        var updatedAt: Int64
        /// Nothing is granted before this instant (an upstream's `Retry-After`); 0 when not paused.
        var pausedUntil: Int64
    }

    /// What ``take(_:from:at:maximumWait:)`` decides.
    enum Decision: Sendable, Equatable {
        /// The tokens are taken: store `state`, then wait `wait` microseconds (0: go now).
        case granted(State, wait: Int64)
        /// Refused: the tokens would be available after `retryAfter` microseconds.
        case refused(retryAfter: Int64)
    }

    /// The most tokens the bucket holds.
    var capacity: Double
    /// Tokens gained per second.
    var ratePerSecond: Double

    /// A full bucket at `now`: what an absent record means.
    func full(at now: Int64) -> State {
        State(tokens: capacity, updatedAt: now, pausedUntil: 0)
    }

    /// `state` refilled up to `now`, never past ``capacity``. An instant at or before the last
    /// refill (a clock set back) changes nothing.
    func refilled(_ state: State, at now: Int64) -> State {
        guard now > state.updatedAt else { return state }
        let elapsed = Double(now) - Double(state.updatedAt)
        let tokens = min(capacity, state.tokens + elapsed * ratePerSecond / 1_000_000)
        return State(tokens: tokens, updatedAt: now, pausedUntil: state.pausedUntil)
    }

    /// Microseconds from `now` until `state` (already refilled to `now`) can give `count` tokens:
    /// the longer of the pause and the time the refill needs for the missing tokens, rounded up.
    func wait(for count: Double, in state: State, at now: Int64) -> Int64 {
        let paused = max(0, Double(state.pausedUntil) - Double(now))
        let missing = count - state.tokens
        let refill = missing > 0 ? missing * 1_000_000 / ratePerSecond : 0
        return Microseconds.ceiling(max(paused, refill))
    }

    /// Takes `count` tokens at `now`.
    /// - Parameter maximumWait: `nil` to refuse unless the tokens are there now; otherwise the
    ///   longest wait, in microseconds, the caller accepts (the tokens are then reserved).
    func take(_ count: Double, from state: State, at now: Int64, maximumWait: Int64?) -> Decision {
        let current = refilled(state, at: now)
        let wait = wait(for: count, in: current, at: now)
        guard wait <= (maximumWait ?? 0) else { return .refused(retryAfter: wait) }
        var taken = current
        taken.tokens -= count
        return .granted(taken, wait: wait)
    }

    /// `state` after an upstream reported `used` of `limit` calls spent at `now`: the bucket holds
    /// what the upstream has left (`limit - used`, at most ``capacity``), less the tokens still
    /// reserved by callers waiting here, whose requests the upstream has not seen yet.
    func observed(used: Int, limit: Int, in state: State, at now: Int64) -> State {
        let current = refilled(state, at: now)
        let left = min(capacity, max(-capacity, Double(limit) - Double(used)))
        return State(tokens: left + min(0, current.tokens), updatedAt: now, pausedUntil: current.pausedUntil)
    }

    /// `state` paused until `until` at `now`: drained to empty (reservations kept), refilling from
    /// now as the upstream's own bucket does, and granting nothing before `until`. A pause already
    /// running longer is kept.
    func paused(until: Int64, in state: State, at now: Int64) -> State {
        let current = refilled(state, at: now)
        return State(tokens: min(0, current.tokens), updatedAt: now, pausedUntil: max(current.pausedUntil, until))
    }

    /// Microseconds from `now` until `state` is full again and its pause is over: how long its
    /// record must live, since an absent record reads as a full bucket.
    func lifetime(of state: State, at now: Int64) -> Int64 {
        let refill = max(0, capacity - state.tokens) * 1_000_000 / ratePerSecond
        let refillEnd = Double(state.updatedAt) - Double(now) + refill
        let pause = Double(state.pausedUntil) - Double(now)
        return Microseconds.ceiling(max(0, refillEnd, pause))
    }
}
