import Drover

/// The bytes a webhook scheme keys its HMAC with, made from the secret as each scheme's official
/// library makes it. Printing, interpolating or dumping it — or a verifier holding it — shows
/// `hidden`, never the key.
struct WebhookSigningKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The HMAC key.
    let bytes: [UInt8]

    /// The key of a scheme that uses the secret's text as it is (Shopify, Stripe: the whole
    /// `whsec_...` string is Stripe's key). `scheme` names it in the refusal.
    /// - Throws: ``WebhookSignatureError`` ``WebhookSignatureError/Reason/invalidSecret`` when the
    ///   secret is empty or holds whitespace, which no issued secret does: it is almost always a
    ///   newline or space pasted along with the value (stripe-node warns of the same).
    init(text secret: String, scheme: String) throws(WebhookSignatureError) {
        guard !secret.isEmpty else {
            throw WebhookSignatureError(.invalidSecret, "the \(scheme) webhook secret is empty")
        }
        guard !secret.utf8.contains(where: { $0 == 0x20 || (0x09...0x0D).contains($0) }) else {
            throw WebhookSignatureError(
                .invalidSecret,
                "the \(scheme) webhook secret holds whitespace (a newline or space pasted with it?): give the value exactly as issued"
            )
        }
        bytes = Array(secret.utf8)
    }

    /// The key of a Svix / Standard Webhooks secret: base64 after an optional `whsec_` prefix, as
    /// the svix and standardwebhooks libraries read it (both also take the bare base64).
    /// - Throws: ``WebhookSignatureError`` ``WebhookSignatureError/Reason/invalidSecret`` when
    ///   the rest is not strict base64 or decodes to no bytes.
    init(svix secret: String) throws(WebhookSignatureError) {
        let encoded = secret.hasPrefix("whsec_") ? secret.dropFirst(6) : Substring(secret)
        guard let key = Base64.decode(encoded) else {
            throw WebhookSignatureError(
                .invalidSecret,
                "the Svix webhook secret is not base64 after its whsec_ prefix: give the value exactly as issued (whsec_ and base64)"
            )
        }
        guard !key.isEmpty else { throw WebhookSignatureError(.invalidSecret, "the Svix webhook secret is empty") }
        bytes = key
    }

    var description: String { "hidden" }

    var debugDescription: String { description }

    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
