/// What a bucket answers when it lets a call through.
public struct RateLimitGrant: Sendable, Equatable {
    /// How long the call slept on the clock before going ahead: zero when the tokens were there,
    /// otherwise exactly the computed wait (``RateLimitPolicy/wait(atMost:)``).
    public var waited: Duration
    /// The room left when the call goes ahead: tokens for a ``TokenBucket``, `capacity - level`
    /// for a ``LeakyBucket``. Negative while other callers' reserved tokens are still being waited
    /// for; after a wait, reservations others made meanwhile are not counted.
    public var remaining: Double

    /// A grant after waiting `waited`, leaving `remaining`.
    public init(waited: Duration, remaining: Double) {
        self.waited = waited
        self.remaining = remaining
    }
}
