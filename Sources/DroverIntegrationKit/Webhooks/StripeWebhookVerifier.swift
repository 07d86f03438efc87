import Drover

/// Verifies Stripe's webhook signature: `Stripe-Signature: t=<unix>,v1=<hex>,...`, where each
/// `v1` is a candidate HMAC-SHA256, in hex, of `{t}.{body}` under the endpoint's signing secret —
/// the whole `whsec_...` text is the key (Stripe, "Verify webhook signatures manually").
///
/// ```swift
/// let verifier = try StripeWebhookVerifier(secret: env.secret("STRIPE_WEBHOOK_SECRET"), clock: env.clock)
/// let body = try await request.verifiedBody(using: verifier)
/// ```
///
/// Refusals, in the order of stripe-node's `constructEvent` (`verifyHeader`), each its own
/// ``WebhookSignatureError/Reason``:
/// - ``WebhookSignatureError/Reason/missingBody``: the body is empty ("No webhook payload was
///   provided").
/// - ``WebhookSignatureError/Reason/missingHeader``: no `Stripe-Signature`, or an empty one.
/// - ``WebhookSignatureError/Reason/malformedHeader``: no `t=`, two, or one that is not a whole
///   number of seconds ("Unable to extract timestamp and signatures from header"); a header over
///   4,096 bytes.
/// - ``WebhookSignatureError/Reason/noSupportedSignature``: no `v1` at all, only `v0` or other
///   schemes ("No signatures found with expected scheme").
/// - ``WebhookSignatureError/Reason/invalidEncoding``: no `v1` matched and one was not hex.
/// - ``WebhookSignatureError/Reason/noMatchingSignature``: no `v1` matched ("No signatures found
///   matching the expected signature for payload").
/// - ``WebhookSignatureError/Reason/timestampTooOld``: the signature matched but `t` is more than
///   the tolerance before `clock`'s now ("Timestamp outside the tolerance zone"); exactly the
///   tolerance is accepted. As in stripe-node, a timestamp in the future is not refused.
public struct StripeWebhookVerifier: WebhookVerifier {
    /// Five minutes, stripe-node's `DEFAULT_TOLERANCE`.
    public static let defaultTolerance: Duration = .seconds(300)

    private let key: WebhookSigningKey
    private let clock: any WallClock
    private let tolerance: Int64

    /// A verifier for webhooks signed with `secret`.
    /// - Parameters:
    ///   - secret: the endpoint's signing secret (`whsec_...`), as Stripe shows it.
    ///   - clock: where now comes from: `env.clock`.
    ///   - tolerance: how old, in whole seconds, the signed timestamp may be; a negative tolerance
    ///     counts as zero.
    /// - Throws: ``WebhookSignatureError`` ``WebhookSignatureError/Reason/invalidSecret`` when the
    ///   secret is empty or holds whitespace.
    public init(secret: String, clock: any WallClock, tolerance: Duration = defaultTolerance) throws(WebhookSignatureError) {
        key = try WebhookSigningKey(text: secret, scheme: "Stripe")
        self.clock = clock
        self.tolerance = WebhookTimestamp.seconds(tolerance)
    }

    /// Returns when one `v1` signature in `Stripe-Signature` signs `body` with its timestamp, and
    /// the timestamp is no older than the tolerance.
    /// - Throws: ``WebhookSignatureError``, as the type's documentation lists.
    public func verify(body: [UInt8], headers: Headers) throws(WebhookSignatureError) {
        guard !body.isEmpty else {
            throw WebhookSignatureError(.missingBody, "the body is empty; Stripe signs the body of every webhook")
        }
        guard let value = WebhookHeaderField.value("stripe-signature", in: headers) else {
            throw WebhookSignatureError(.missingHeader, "no Stripe-Signature header")
        }
        try WebhookHeaderField.checkLength(value, name: "Stripe-Signature")
        let header = try StripeSignatureHeader(parsing: value)
        let content = WebhookSignedContent.bytes(timestamp: header.timestamp, body: body)
        let (matched, undecodable) = header.match(Crypto.hmacSHA256(key: key.bytes, data: content))
        guard matched else {
            if undecodable > 0 {
                throw WebhookSignatureError(.invalidEncoding, "Stripe-Signature holds a v1 signature that is not hex, and none matched")
            }
            throw WebhookSignatureError(
                .noMatchingSignature,
                "no v1 signature in Stripe-Signature is the HMAC of t and the body under the secret "
                    + "(another secret, or a body changed on the way)"
            )
        }
        let age = WebhookTimestamp.age(of: header.timestamp, now: clock.nowSeconds())
        guard age <= tolerance else {
            throw WebhookSignatureError(
                .timestampTooOld,
                "Stripe-Signature t=\(header.timestamp) is \(age) s before now; the tolerance is \(tolerance) s"
            )
        }
    }
}
