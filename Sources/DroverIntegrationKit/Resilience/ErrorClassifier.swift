import Drover
import Foundation

/// Sorts what a call to another system ended with — a response, or a thrown error — into success,
/// worth retrying, or not worth retrying. ``RetryPolicy`` retries what it calls
/// ``Verdict/retryable``, and a ``CircuitBreaker`` counts exactly those outcomes as failures: the
/// signs of an upstream in trouble, as opposed to a request the upstream rightly refused.
///
/// The standard rules (``standardVerdict(for:)``):
///
/// | outcome | verdict |
/// |---|---|
/// | status 100–399 | success |
/// | status 408 Request Timeout, 429 Too Many Requests | retryable (RFC 9110 §15.5.9; RFC 6585 §4) |
/// | any other 4xx | not retryable: the request itself is wrong, sending it again changes nothing |
/// | status 500–599 | retryable (RFC 9110 §15.6: the server failed a possibly valid request) |
/// | any other status | not retryable |
/// | ``FetchError`` of kind `timeout`, `connection`, `dns` | retryable (network trouble) |
/// | ``FetchError`` of kind `invalidURL`, `other` (TLS, redirects) | not retryable |
/// | ``ResilienceError/Code/timedOut`` | retryable |
/// | ``ResilienceError/Code/circuitOpen``, ``ResilienceError/Code/bulkheadFull`` | not retryable: a local refusal, retrying at once only adds load |
/// | ``RateLimitError`` | not retryable: a local bucket refused (its wait was too long), the upstream was not called |
/// | `CancellationError` | not retryable: the caller gave up |
/// | any other ``HTTPResponseError`` | by its status, as above |
/// | any other error | not retryable (a decoding error, a bug: retrying repeats it) |
///
/// Extend the rules with your own (``adding(_:)``): a rule sees the outcome first and returns a
/// verdict, or `nil` to leave it to the rules before it and then to the standard ones.
///
/// ```swift
/// // This upstream answers 409 while a resource is being created: worth another try.
/// let classifier = ErrorClassifier.standard.adding { outcome in
///     if case .response(let response) = outcome, response.status == 409 { return .retryable }
///     return nil
/// }
/// ```
public struct ErrorClassifier: Sendable {
    /// What an outcome is worth.
    public enum Verdict: Sendable, Hashable {
        /// The call succeeded: return its result.
        case success
        /// A transient failure: the call may succeed if made again. A breaker counts it as a failure.
        case retryable
        /// A failure that another try will not change (or a refusal by the caller's own side):
        /// return or throw it as it is. A breaker counts it as a success: the upstream answered.
        case nonRetryable
    }

    /// What a call ended with.
    public enum Outcome: Sendable {
        /// The upstream answered, with any status.
        case response(Response)
        /// The call threw.
        case error(any Error)
    }

    /// A rule: a verdict for the outcomes it knows, `nil` for the rest.
    public typealias Rule = @Sendable (Outcome) -> Verdict?

    /// Consulted last first.
    private let rules: [Rule]

    /// The standard rules alone.
    public static let standard = ErrorClassifier()

    /// A classifier with the standard rules and, consulted before them, `rule` when given.
    public init(_ rule: Rule? = nil) {
        rules = rule.map { [$0] } ?? []
    }

    private init(rules: [Rule]) {
        self.rules = rules
    }

    /// A copy with `rule` consulted before every rule this classifier has.
    public func adding(_ rule: @escaping Rule) -> ErrorClassifier {
        ErrorClassifier(rules: rules + [rule])
    }

    /// The verdict on `outcome`: the newest rule that has one, else the standard rules.
    public func classify(_ outcome: Outcome) -> Verdict {
        for rule in rules.reversed() {
            if let verdict = rule(outcome) { return verdict }
        }
        return Self.standardVerdict(for: outcome)
    }

    /// The verdict on a thrown error.
    public func classify(_ error: any Error) -> Verdict {
        classify(.error(error))
    }

    /// The verdict on a response.
    public func classify(_ response: Response) -> Verdict {
        classify(.response(response))
    }

    /// The standard rules' verdict on `outcome` (the table above).
    public static func standardVerdict(for outcome: Outcome) -> Verdict {
        switch outcome {
        case .response(let response):
            return standardVerdict(forStatus: response.status)
        case .error(let error):
            return standardVerdict(forError: error)
        }
    }

    /// The standard rules' verdict on a response status.
    public static func standardVerdict(forStatus status: Int) -> Verdict {
        switch status {
        case 100..<400: .success
        case 408, 429: .retryable
        case 500..<600: .retryable
        default: .nonRetryable
        }
    }

    private static func standardVerdict(forError error: any Error) -> Verdict {
        switch error {
        case let error as ResilienceError:
            return error.code == .timedOut ? .retryable : .nonRetryable
        case is RateLimitError:
            return .nonRetryable
        case let error as FetchError:
            switch error.kind {
            case .timeout, .connection, .dns: return .retryable
            case .invalidURL, .other: return .nonRetryable
            }
        case is CancellationError:
            return .nonRetryable
        case let error as any HTTPResponseError:
            // An error that carries a status is judged by it; a 2xx or 3xx one is still a failure.
            let verdict = standardVerdict(forStatus: error.status)
            return verdict == .success ? .nonRetryable : verdict
        default:
            return .nonRetryable
        }
    }
}
