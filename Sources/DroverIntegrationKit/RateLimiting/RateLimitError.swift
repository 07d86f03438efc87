import Drover

/// Why a ``TokenBucket`` or ``LeakyBucket`` did not let a call through.
///
/// `.limited` is the client's answer: 429 with `Retry-After` (whole seconds, rounded up, as
/// RFC 9110 §10.2.3 writes delay-seconds), so a handler can let it propagate. The other codes are
/// the worker's own mistakes (a bucket built with a capacity of zero, a call asking for more tokens
/// than the bucket holds): 500 with a generic message; ``description`` says what is wrong.
///
/// ```swift
/// do {
///     try await bucket.acquire(shop)
/// } catch let error as RateLimitError where error.code == .limited {
///     ctx.logger.info("held back for \(error.retryAfter ?? .zero)")
///     throw error
/// }
/// ```
public struct RateLimitError: HTTPResponseError, CustomStringConvertible {
    /// The kind of refusal; compare with `==` against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case limited
            case invalidAmount = "invalid amount"
            case invalidConfiguration = "invalid configuration"
        }

        private let value: Value

        /// The tokens are not there (yet), and the caller chose to refuse or would wait too long.
        public static let limited = Code(value: .limited)
        /// The call asked for a count of tokens that is not positive and finite, or that exceeds
        /// the bucket's capacity (it could never be granted).
        public static let invalidAmount = Code(value: .invalidAmount)
        /// The bucket was built with a capacity or rate that is not positive and finite.
        public static let invalidConfiguration = Code(value: .invalidConfiguration)

        /// The code in words (`limited`, `invalid amount`).
        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The bucket's name (the `name` given to `acquire`), or its key prefix for a configuration error.
    public let bucket: String
    /// When the call could go ahead; set for `.limited` only.
    public let retryAfter: Duration?
    /// What is wrong, for logs.
    public let reason: String

    /// Refused because the tokens are due only after `retryAfter`.
    static func limited(_ bucket: String, retryAfter: Duration) -> RateLimitError {
        RateLimitError(code: .limited, bucket: bucket, retryAfter: retryAfter, reason: "rate limit exceeded")
    }

    /// A call asking for an impossible count of tokens.
    static func invalidAmount(_ bucket: String, _ reason: String) -> RateLimitError {
        RateLimitError(code: .invalidAmount, bucket: bucket, retryAfter: nil, reason: reason)
    }

    /// A bucket built with an impossible capacity or rate.
    static func invalidConfiguration(_ bucket: String, _ reason: String) -> RateLimitError {
        RateLimitError(code: .invalidConfiguration, bucket: bucket, retryAfter: nil, reason: reason)
    }

    /// 429 for `.limited`, 500 otherwise.
    public var status: Int { code == .limited ? 429 : 500 }

    /// `rate limit exceeded` for `.limited`; a generic message otherwise (the details are the
    /// worker's, not the client's).
    public var message: String { code == .limited ? "rate limit exceeded" : "internal server error" }

    /// `Retry-After` in whole seconds, rounded up, when ``retryAfter`` is set.
    public var headers: Headers {
        guard let retryAfter else { return Headers() }
        return Microseconds.retryAfterHeader(retryAfter)
    }

    /// The code, the bucket and what is wrong: for logs, not for the client.
    public var description: String {
        var text = "rate limit (\(code)) on \"\(bucket)\": \(reason)"
        if let retryAfter { text += ", retry after \(retryAfter)" }
        return text
    }
}
