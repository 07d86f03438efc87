import Foundation

/// A change of a ``CircuitBreaker``'s state, as its `onStateTransition` callback receives it and
/// its logger records it.
///
/// A transition is reported by the breaker instance that made it — the one whose call crossed a
/// threshold, or that first saw the open wait over. Another worker sharing the state through KV
/// finds the new state when it next reads it, without an event. Two workers may make the same
/// transition at nearly the same time (KV has no compare-and-set), and each reports it.
public struct CircuitBreakerTransition: Sendable, Hashable {
    /// Why the state changed.
    public enum Reason: Sendable, Hashable {
        /// The failure rate, in percent, reached the threshold (closed → open, or half-open → open
        /// after the trial calls).
        case failureRateExceeded(Double)
        /// The slow-call rate, in percent, reached the threshold (closed → open, or half-open →
        /// open after the trial calls).
        case slowCallRateExceeded(Double)
        /// The open wait is over (open → half-open).
        case openWaitElapsed
        /// The trial calls ended with both rates below their thresholds (half-open → closed).
        case trialCallsSucceeded
        /// The trial calls did not all end within the half-open wait (half-open → open).
        case halfOpenWaitElapsed
        /// ``CircuitBreaker/reset()`` was called (any state → closed).
        case reset
        /// ``CircuitBreaker/forceOpen()`` was called (any state → open, until reset).
        case forcedOpen
    }

    /// The breaker's name.
    public var name: String
    /// The state before.
    public var from: CircuitBreakerState
    /// The state after.
    public var to: CircuitBreakerState
    /// Why.
    public var reason: Reason
    /// When, on the breaker's clock.
    public var date: Date

    /// A transition.
    public init(name: String, from: CircuitBreakerState, to: CircuitBreakerState, reason: Reason, date: Date) {
        self.name = name
        self.from = from
        self.to = to
        self.reason = reason
        self.date = date
    }
}
