import Foundation

/// One attempt of a ``RetryPolicy`` run and what the policy decided after it, reported to the
/// run's `onAttempt` callback as soon as the decision is made (before the wait): count retries for
/// a metric (`integration_retries_total` counts ``Decision-swift.enum/retrying(after:)``), log the
/// failures, trace the waits.
public struct RetryAttempt: Sendable {
    /// What the policy does after the attempt.
    public enum Decision: Sendable, Hashable {
        /// The attempt succeeded; its result is returned.
        case succeeded
        /// The attempt failed in a way another try will not change; its result is returned (or its
        /// error thrown) as it is.
        case notRetryable
        /// The attempt failed transiently; the policy waits `after`, then tries again.
        case retrying(after: Duration)
        /// The attempt failed transiently but it was the last one allowed
        /// (``RetryPolicy/maxAttempts``); its result is returned (or its error thrown).
        case attemptsExhausted
        /// The attempt failed transiently but the wait before another would not end before the
        /// run's deadline (``RetryPolicy/maxDuration``); its result is returned (or its error thrown).
        case deadlineReached
    }

    /// Where a retry's wait came from.
    public enum DelaySource: Sendable, Hashable {
        /// The exponential backoff with full jitter.
        case backoff
        /// The response's (or error's) `Retry-After`, capped at ``RetryPolicy/maxRetryAfter``.
        case retryAfter
    }

    /// The attempt's number, from 1.
    public var number: Int
    /// What the policy does next.
    public var decision: Decision
    /// Where the wait came from, when the policy computed one (for ``Decision-swift.enum/retrying(after:)``
    /// and ``Decision-swift.enum/deadlineReached``).
    public var delaySource: DelaySource?
    /// The response's status, when the attempt returned a response.
    public var status: Int?
    /// What the attempt threw, when it threw.
    public var error: (any Error)?
    /// When the attempt ended, on the policy's clock.
    public var endedAt: Date

    /// An attempt's report.
    public init(number: Int, decision: Decision, delaySource: DelaySource? = nil, status: Int? = nil, error: (any Error)? = nil, endedAt: Date) {
        self.number = number
        self.decision = decision
        self.delaySource = delaySource
        self.status = status
        self.error = error
        self.endedAt = endedAt
    }
}
