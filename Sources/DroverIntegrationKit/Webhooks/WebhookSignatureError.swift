import Drover

/// Why a webhook was refused by a ``WebhookVerifier``, or why a verifier could not be made.
///
/// Every refusal has its own ``reason`` (compare with `==` against the static members of
/// ``Reason``) and a ``detail`` for the log that names the header and the rule it broke; neither
/// ever holds the secret, a signature or the body.
///
/// Thrown from a handler, it answers for itself (``HTTPResponseError``): a refused webhook is a
/// 401 whose body says only `missing webhook signature`, `webhook timestamp outside the tolerance`
/// or `invalid webhook signature`, so a forger learns nothing about which check failed beyond what
/// it sent; an unusable secret (``Reason/invalidSecret``) is the worker's configuration, not the
/// client's doing, and is a 500 `internal server error`. Log ``detail`` to see the whole reason.
public struct WebhookSignatureError: HTTPResponseError, Equatable, CustomStringConvertible {
    /// The kind of refusal, compared with `==` against the static members.
    public struct Reason: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: String, Sendable, Hashable {
            case missingHeader = "missing header"
            case malformedHeader = "malformed header"
            case invalidEncoding = "invalid encoding"
            case missingBody = "missing body"
            case timestampTooOld = "timestamp too old"
            case timestampTooNew = "timestamp too new"
            case noSupportedSignature = "no supported signature"
            case noMatchingSignature = "no matching signature"
            case invalidSecret = "invalid secret"
        }

        fileprivate let code: Code

        /// A header the scheme needs is absent or empty: `X-Shopify-Hmac-Sha256`; `svix-id`,
        /// `svix-timestamp`, `svix-signature` (and their `webhook-` forms); `Stripe-Signature`.
        public static let missingHeader = Reason(code: .missingHeader)
        /// A header does not have the scheme's shape: a timestamp that is not a whole number of
        /// seconds, a `Stripe-Signature` without `t=` or with two, a `svix-id` holding a `.`, or a
        /// signature header longer than 4,096 bytes.
        public static let malformedHeader = Reason(code: .malformedHeader)
        /// A signature is not in the scheme's encoding (base64 for Shopify and Svix, hex for
        /// Stripe), and no other signature matched.
        public static let invalidEncoding = Reason(code: .invalidEncoding)
        /// The body is empty where the scheme always signs one (Shopify and Stripe).
        public static let missingBody = Reason(code: .missingBody)
        /// The signed timestamp is further in the past than the tolerance: a replay, or a delivery
        /// that waited too long.
        public static let timestampTooOld = Reason(code: .timestampTooOld)
        /// The signed timestamp is further in the future than the tolerance (Svix): a clock far
        /// off, or a message signed to be replayed later.
        public static let timestampTooNew = Reason(code: .timestampTooNew)
        /// The signature header holds no signature of the version this verifier checks (`v1`):
        /// only other schemes (`v0`, `v1a`) or none at all.
        public static let noSupportedSignature = Reason(code: .noSupportedSignature)
        /// No signature in the header is the HMAC of what was received under the secret: the
        /// wrong secret, a forged request, or a body changed on the way (re-serialised JSON, a
        /// proxy that re-encoded it).
        public static let noMatchingSignature = Reason(code: .noMatchingSignature)
        /// The secret given to the verifier is unusable: empty, holding whitespace, or (Svix) not
        /// base64 after its `whsec_` prefix.
        public static let invalidSecret = Reason(code: .invalidSecret)

        /// The reason in a few words, such as `timestamp too old`.
        public var description: String { code.rawValue }
    }

    /// What kind of refusal this is.
    public let reason: Reason
    /// The whole reason, for the log: the header and the rule (`svix-timestamp 1614265000 is 330 s
    /// before now; the tolerance is 300 s`). Never the secret, a signature or the body.
    public let detail: String

    /// A refusal of `reason`, explained by `detail`.
    init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// 401 for every refusal of a request; 500 for ``Reason/invalidSecret``, the worker's own
    /// configuration.
    public var status: Int { reason == .invalidSecret ? 500 : 401 }

    /// What the client may be told: whether a signature was sent, whether its timestamp was out of
    /// range, or that it is invalid; `internal server error` for an unusable secret.
    public var message: String {
        switch reason.code {
        case .missingHeader: "missing webhook signature"
        case .timestampTooOld, .timestampTooNew: "webhook timestamp outside the tolerance"
        case .invalidSecret: "internal server error"
        case .malformedHeader, .invalidEncoding, .missingBody, .noSupportedSignature, .noMatchingSignature:
            "invalid webhook signature"
        }
    }

    /// `<reason>: <detail>`, for logs.
    public var description: String { "\(reason): \(detail)" }
}
