import Drover

/// A `Stripe-Signature` value: comma-separated `key=value` items, such as
/// `t=1492774577,v1=5257a869...,v0=6ffbb59b...` — the timestamp `t` and one signature per scheme
/// (Stripe, "Verify webhook signatures manually"). Several `v1` are sent while a secret is rolled.
///
/// As stripe-node's `parseHeader`: items are split at `,` and at their first `=`; `v1` values are
/// kept, other keys (`v0`, schemes to come) and items without `=` are ignored. Stricter than it
/// where it guesses: `t` must be plain digits and appear once.
struct StripeSignatureHeader: Equatable {
    /// The signed Unix timestamp, `t`.
    let timestamp: Int64
    /// The `v1` signatures that are hex, decoded, in order.
    let signatures: [[UInt8]]
    /// How many `v1` values were not hex.
    let undecodable: Int

    /// The timestamp and `v1` signatures of `value`.
    /// - Throws: ``WebhookSignatureError``: ``WebhookSignatureError/Reason/malformedHeader`` when
    ///   `t` is missing, repeated or not a whole number of seconds;
    ///   ``WebhookSignatureError/Reason/noSupportedSignature`` when there is no `v1` at all.
    init(parsing value: String) throws(WebhookSignatureError) {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        var undecodable = 0
        for item in value.utf8.split(separator: UInt8(ascii: ",")) {
            guard let equals = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = item[..<equals]
            let text = Substring(item[item.index(after: equals)...])
            if key.elementsEqual("t".utf8) {
                guard timestamp == nil else {
                    throw WebhookSignatureError(.malformedHeader, "Stripe-Signature holds t= more than once")
                }
                guard let seconds = WebhookTimestamp.parse(text) else {
                    throw WebhookSignatureError(.malformedHeader, "Stripe-Signature t= is not a whole number of seconds")
                }
                timestamp = seconds
            } else if key.elementsEqual("v1".utf8) {
                if let signature = Hex.decode(text) { signatures.append(signature) } else { undecodable += 1 }
            }
        }
        guard let timestamp else {
            throw WebhookSignatureError(.malformedHeader, "Stripe-Signature has no t= timestamp")
        }
        guard !signatures.isEmpty || undecodable > 0 else {
            throw WebhookSignatureError(.noSupportedSignature, "Stripe-Signature has no v1 signature (other schemes are not checked)")
        }
        self.timestamp = timestamp
        self.signatures = signatures
        self.undecodable = undecodable
    }
}
