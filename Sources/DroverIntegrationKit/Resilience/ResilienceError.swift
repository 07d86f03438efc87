import Drover
import Foundation

/// A call refused or cut short by a resilience policy: an open circuit, a timeout, a full
/// bulkhead.
///
/// Match on ``code`` (`catch let error as ResilienceError where error.code == .circuitOpen`); new
/// codes can be added without breaking a `switch`-free caller. Each error carries the status it
/// becomes when a handler lets it escape (``HTTPResponseError``): 503 for an open circuit (with
/// `Retry-After` when the wait left is known) and a full bulkhead, 504 for a timeout — the answers
/// of a gateway whose upstream is unavailable or slow (RFC 9110 §15.6.4, §15.6.5). The client
/// sees only the reason phrase; ``description`` names the policy, for logs.
public struct ResilienceError: HTTPResponseError, CustomStringConvertible, Equatable {
    /// What refused the call.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case circuitOpen = "circuit open"
            case timedOut = "timed out"
            case bulkheadFull = "bulkhead full"
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A circuit breaker is open (or half-open with every trial call taken): the call was not
        /// made. Not worth retrying at once.
        public static let circuitOpen = Code(.circuitOpen)
        /// The call did not finish within its time limit and was cancelled. Worth retrying.
        public static let timedOut = Code(.timedOut)
        /// A bulkhead had no free slot within its wait: the call was not made. Not worth retrying
        /// at once: the caller should shed load.
        public static let bulkheadFull = Code(.bulkheadFull)

        /// The code in words: `circuit open`, `timed out`, `bulkhead full`.
        public var description: String { value.rawValue }
    }

    /// What refused the call.
    public let code: Code
    /// The name of the policy that refused it: the breaker's or bulkhead's name, the timeout's label.
    public let policy: String
    /// For an open circuit, the time left before it lets a trial call through (`nil` when half-open
    /// with every trial call taken, or forced open); `nil` for the other codes.
    public let retryAfter: Duration?
    /// For a timeout, its limit; for a full bulkhead, how long the call waited for a slot.
    public let limit: Duration?
    /// Why, in words, for logs.
    public let description: String

    private init(code: Code, policy: String, retryAfter: Duration? = nil, limit: Duration? = nil, description: String) {
        self.code = code
        self.policy = policy
        self.retryAfter = retryAfter
        self.limit = limit
        self.description = description
    }

    /// 503 for an open circuit or a full bulkhead, 504 for a timeout.
    public var status: Int {
        code == .timedOut ? 504 : 503
    }

    /// `Retry-After` in whole seconds, rounded up, when ``retryAfter`` is known (RFC 9110 §10.2.3).
    public var headers: Headers {
        guard let retryAfter else { return Headers() }
        let nanoseconds = retryAfter.clampedNanoseconds
        let seconds = nanoseconds / 1_000_000_000 + (nanoseconds % 1_000_000_000 == 0 ? 0 : 1)
        return Headers([("Retry-After", String(seconds))])
    }

    /// The circuit breaker `name` refused a call; `retryAfter` is the open wait left, when known.
    static func circuitOpen(_ name: String, retryAfter: Duration?) -> ResilienceError {
        let wait = retryAfter.map { " (trial calls in \($0))" } ?? ""
        return ResilienceError(
            code: .circuitOpen, policy: name, retryAfter: retryAfter,
            description: "circuit breaker \(name) is open\(wait): the call was not made")
    }

    /// `name` did not finish within `limit`.
    static func timedOut(_ name: String, after limit: Duration) -> ResilienceError {
        ResilienceError(code: .timedOut, policy: name, limit: limit, description: "\(name) timed out after \(limit)")
    }

    /// The bulkhead `name` had no free slot among `maxConcurrentCalls` after waiting `waited`.
    static func bulkheadFull(_ name: String, maxConcurrentCalls: Int, waited: Duration) -> ResilienceError {
        let wait = waited > .zero ? " within \(waited)" : ""
        return ResilienceError(
            code: .bulkheadFull, policy: name, limit: waited,
            description: "bulkhead \(name) is full: \(maxConcurrentCalls) calls in flight and no slot free\(wait)")
    }
}
