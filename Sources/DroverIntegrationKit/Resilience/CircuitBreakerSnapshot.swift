import Foundation

/// What a ``CircuitBreaker``'s state in KV says now: the state (with an open wait that has passed
/// already read as half-open), and the counts of the calls it is judged on — the sliding window's
/// while closed, the trial calls' while half-open; while open, those of the calls that opened it
/// (as resilience4j reports an open breaker's metrics), none when it was forced open.
public struct CircuitBreakerSnapshot: Sendable, Hashable {
    /// The breaker's name.
    public var name: String
    /// The state.
    public var state: CircuitBreakerState
    /// Whether ``CircuitBreaker/forceOpen()`` holds it open (until ``CircuitBreaker/reset()``).
    public var isForcedOpen: Bool
    /// When the breaker entered the state, on its clock.
    public var since: Date
    /// The calls counted.
    public var calls: Int
    /// Those that failed.
    public var failedCalls: Int
    /// Those that were slow (failed or not).
    public var slowCalls: Int
    /// Failed calls in percent of the calls, or `nil` while there are fewer than the minimum
    /// number of calls (while half-open: than the permitted trial calls).
    public var failureRate: Double?
    /// Slow calls in percent of the calls, or `nil` as for ``failureRate``.
    public var slowCallRate: Double?

    /// A snapshot.
    public init(
        name: String, state: CircuitBreakerState, isForcedOpen: Bool, since: Date,
        calls: Int, failedCalls: Int, slowCalls: Int, failureRate: Double?, slowCallRate: Double?
    ) {
        self.name = name
        self.state = state
        self.isForcedOpen = isForcedOpen
        self.since = since
        self.calls = calls
        self.failedCalls = failedCalls
        self.slowCalls = slowCalls
        self.failureRate = failureRate
        self.slowCallRate = slowCallRate
    }
}
