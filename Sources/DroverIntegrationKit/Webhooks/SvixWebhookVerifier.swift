import Drover

/// Verifies Svix and Standard Webhooks signatures (Clerk, Resend and every other Svix sender):
/// `svix-signature` holds `v1,<base64>` entries, each a candidate HMAC-SHA256 of
/// `{svix-id}.{svix-timestamp}.{body}` under the base64 key after the secret's `whsec_` prefix
/// (Standard Webhooks 1.0.0, "Signature scheme"). The unbranded `webhook-id`,
/// `webhook-timestamp` and `webhook-signature` are read when the three `svix-` headers are not
/// all there, as the svix libraries do.
///
/// ```swift
/// let verifier = try SvixWebhookVerifier(secret: env.secret("CLERK_WEBHOOK_SECRET"), clock: env.clock)
/// let body = try await request.verifiedBody(using: verifier)
/// ```
///
/// Refusals, in the order of the official libraries (svix, standardwebhooks), each its own
/// ``WebhookSignatureError/Reason``:
/// - ``WebhookSignatureError/Reason/missingHeader``: the id, timestamp or signature is absent or
///   empty (in both sets of names).
/// - ``WebhookSignatureError/Reason/malformedHeader``: the timestamp is not a whole number of
///   seconds; the id holds a `.` (which would let id, timestamp and body be split another way:
///   the specification forbids it to senders, the libraries do not check it); a header is over
///   4,096 bytes.
/// - ``WebhookSignatureError/Reason/timestampTooOld`` / ``WebhookSignatureError/Reason/timestampTooNew``:
///   the timestamp is more than the tolerance (5 minutes) before or after `clock`'s now. Exactly
///   the tolerance away is accepted, as in the libraries.
/// - ``WebhookSignatureError/Reason/noSupportedSignature``: no `v1` entry (the libraries say "no
///   matching signature" here too).
/// - ``WebhookSignatureError/Reason/invalidEncoding``: no `v1` matched and one was not base64.
/// - ``WebhookSignatureError/Reason/noMatchingSignature``: no `v1` matched.
///
/// The body may be empty (an event without payload) and need not be UTF-8: its bytes are signed
/// as they are.
public struct SvixWebhookVerifier: WebhookVerifier {
    /// Five minutes either way, the svix and standardwebhooks libraries' fixed tolerance.
    public static let defaultTolerance: Duration = .seconds(300)

    private let key: WebhookSigningKey
    private let clock: any WallClock
    private let tolerance: Int64

    /// A verifier for webhooks signed with `secret`.
    /// - Parameters:
    ///   - secret: the endpoint's signing secret, `whsec_` then base64 (the bare base64 is
    ///     accepted too, as by the official libraries).
    ///   - clock: where now comes from: `env.clock`.
    ///   - tolerance: how far, in whole seconds, the signed timestamp may be from now in either
    ///     direction; a negative tolerance counts as zero.
    /// - Throws: ``WebhookSignatureError`` ``WebhookSignatureError/Reason/invalidSecret`` when
    ///   the secret is not base64 after its prefix, or is empty.
    public init(secret: String, clock: any WallClock, tolerance: Duration = defaultTolerance) throws(WebhookSignatureError) {
        key = try WebhookSigningKey(svix: secret)
        self.clock = clock
        self.tolerance = WebhookTimestamp.seconds(tolerance)
    }

    /// Returns when one `v1` signature in the headers signs `body` with their id and timestamp,
    /// and the timestamp is within the tolerance of now.
    /// - Throws: ``WebhookSignatureError``, as the type's documentation lists.
    public func verify(body: [UInt8], headers: Headers) throws(WebhookSignatureError) {
        let (names, id, timestampText, signatureText) = try Self.signedHeaders(headers)
        try WebhookHeaderField.checkLength(id, name: names[0])
        try WebhookHeaderField.checkLength(timestampText, name: names[1])
        try WebhookHeaderField.checkLength(signatureText, name: names[2])
        var idText = id  // `withUTF8` reads a native string's bytes in place
        guard !idText.withUTF8({ $0.contains(UInt8(ascii: ".")) }) else {
            throw WebhookSignatureError(.malformedHeader, "\(names[0]) holds a \".\", which no sender may put in an id")
        }
        guard let timestamp = WebhookTimestamp.parse(timestampText) else {
            throw WebhookSignatureError(.malformedHeader, "\(names[1]) is not a whole number of seconds")
        }
        let age = WebhookTimestamp.age(of: timestamp, now: clock.nowSeconds())
        guard age <= tolerance else {
            throw WebhookSignatureError(
                .timestampTooOld,
                "\(names[1]) \(timestamp) is \(age) s before now; the tolerance is \(tolerance) s"
            )
        }
        guard age >= -tolerance else {
            throw WebhookSignatureError(
                .timestampTooNew,
                "\(names[1]) \(timestamp) is \(age == .min ? "far" : "\(-age) s") after now; the tolerance is \(tolerance) s"
            )
        }
        let list = SvixSignatureList(parsing: signatureText)
        guard list.count > 0 else {
            throw WebhookSignatureError(.noSupportedSignature, "\(names[2]) has no v1 signature (other versions are not checked)")
        }
        let content = WebhookSignedContent.bytes(id: id, timestamp: timestamp, body: body)
        let (matched, undecodable) = list.match(Crypto.hmacSHA256(key: key.bytes, data: content))
        guard matched else {
            if undecodable > 0 {
                throw WebhookSignatureError(.invalidEncoding, "\(names[2]) holds a v1 signature that is not base64, and none matched")
            }
            throw WebhookSignatureError(
                .noMatchingSignature,
                "no v1 signature in \(names[2]) is the HMAC of id, timestamp and body under the secret "
                    + "(another secret, or a body changed on the way)"
            )
        }
    }

    /// The three signed headers' names, id, timestamp and signature: Svix's, then Standard Webhooks'
    /// unbranded ones.
    private static let headerNames = [
        ["svix-id", "svix-timestamp", "svix-signature"],
        ["webhook-id", "webhook-timestamp", "webhook-signature"],
    ]

    /// The names in use (id, timestamp, signature) and the values: the `svix-` set when all three
    /// are there, else the `webhook-` set when all three are.
    private static func signedHeaders(
        _ headers: Headers
    ) throws(WebhookSignatureError) -> (names: [String], id: String, timestamp: String, signature: String) {
        for names in headerNames {
            if let id = WebhookHeaderField.value(names[0], in: headers),
                let timestamp = WebhookHeaderField.value(names[1], in: headers),
                let signature = WebhookHeaderField.value(names[2], in: headers)
            {
                return (names, id, timestamp, signature)
            }
        }
        let missing = headerNames[0].filter { WebhookHeaderField.value($0, in: headers) == nil }
        throw WebhookSignatureError(
            .missingHeader,
            "no \(missing.joined(separator: ", ")) header (nor a complete webhook-id, webhook-timestamp, webhook-signature set)"
        )
    }
}
