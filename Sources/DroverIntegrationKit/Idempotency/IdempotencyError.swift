import Drover

/// Why ``Idempotency`` neither ran an operation nor
/// replay a result. Each case is an answer for the client (it adopts `HTTPResponseError`, so a
/// handler can let it propagate), modelled on Stripe's idempotent requests
/// (https://docs.stripe.com/api/idempotent_requests):
///
/// | code | status | when |
/// |---|---|---|
/// | `.invalidKey` | 400 | the key is empty or longer than 255 bytes |
/// | `.conflict` | 422 | the key was used for a different request (another fingerprint) |
/// | `.inProgress` | 409 | the same request is still running elsewhere after the wait; `Retry-After` says when its lock expires |
/// | `.storedFailure` | the stored one | the first run failed and failures are cached (``Idempotency/cachesErrors``) |
/// | `.corruptRecord` | 500 | the KV record of the key is not one the kit wrote |
public struct IdempotencyError: HTTPResponseError, CustomStringConvertible {
    /// The kind of refusal; compare with `==` against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidKey = "invalid key"
            case conflict
            case inProgress = "in progress"
            case storedFailure = "stored failure"
            case corruptRecord = "corrupt record"
        }

        private let value: Value

        /// The key is empty or longer than 255 bytes.
        public static let invalidKey = Code(value: .invalidKey)
        /// The key was first used with a different fingerprint.
        public static let conflict = Code(value: .conflict)
        /// The first request with the key still holds its lock after the wait.
        public static let inProgress = Code(value: .inProgress)
        /// The first request with the key failed, and its failure was stored.
        public static let storedFailure = Code(value: .storedFailure)
        /// The key's record cannot be read.
        public static let corruptRecord = Code(value: .corruptRecord)

        /// The code in words (`conflict`, `in progress`).
        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The idempotency key (the client's; not a secret).
    public let key: String
    /// The status to answer with.
    public let status: Int
    /// The message for the client.
    public let message: String
    /// For `.inProgress`: when the running request's lock expires.
    public let retryAfter: Duration?

    static func invalidKey(_ key: String) -> IdempotencyError {
        IdempotencyError(
            code: .invalidKey,
            key: key,
            status: 400,
            message: "idempotency key must be 1 to 255 bytes long",
            retryAfter: nil
        )
    }

    static func conflict(_ key: String) -> IdempotencyError {
        IdempotencyError(
            code: .conflict,
            key: key,
            status: 422,
            message: "idempotency key was already used with a different request",
            retryAfter: nil
        )
    }

    static func inProgress(_ key: String, retryAfter: Duration) -> IdempotencyError {
        IdempotencyError(
            code: .inProgress,
            key: key,
            status: 409,
            message: "a request with this idempotency key is still in progress",
            retryAfter: retryAfter
        )
    }

    static func storedFailure(_ key: String, status: Int, message: String) -> IdempotencyError {
        IdempotencyError(code: .storedFailure, key: key, status: status, message: message, retryAfter: nil)
    }

    static func corruptRecord(_ key: String) -> IdempotencyError {
        IdempotencyError(code: .corruptRecord, key: key, status: 500, message: "internal server error", retryAfter: nil)
    }

    /// `Retry-After` in whole seconds, rounded up, for `.inProgress`.
    public var headers: Headers {
        guard let retryAfter else { return Headers() }
        return Microseconds.retryAfterHeader(retryAfter)
    }

    /// The code, the key and what is wrong: for logs, not for the client.
    public var description: String {
        switch code {
        case .corruptRecord: "idempotency (\(code)) for key \"\(key)\": its KV record is not one this kit wrote"
        default: "idempotency (\(code)) for key \"\(key)\": \(status) \(message)"
        }
    }
}
