import Drover

/// A `Stripe-Signature` value: comma-separated `key=value` items, such as
/// `t=1492774577,v1=5257a869...,v0=6ffbb59b...` — the timestamp `t` and one signature per scheme
/// (Stripe, "Verify webhook signatures manually"). Several `v1` are sent while a secret is rolled.
///
/// As stripe-node's `parseHeader`: items are split at `,` and at their first `=`; `v1` values
/// count, other keys (`v0`, schemes to come) and items without `=` are ignored. Stricter than it
/// where it guesses: `t` must be plain digits and appear once. The value is read again to compare
/// the signatures, rather than kept as a list (see ``SvixSignatureList``).
struct StripeSignatureHeader {
    private let value: String
    /// The signed Unix timestamp, `t`.
    let timestamp: Int64
    /// How many `v1` signatures the value holds.
    let count: Int

    /// The timestamp and `v1` signatures of `value`.
    /// - Throws: ``WebhookSignatureError``: ``WebhookSignatureError/Reason/malformedHeader`` when
    ///   `t` is missing, repeated or not a whole number of seconds;
    ///   ``WebhookSignatureError/Reason/noSupportedSignature`` when there is no `v1` at all.
    init(parsing value: String) throws(WebhookSignatureError) {
        var timestampCount = 0
        var parsedTimestamp: Int64?
        var count = 0
        WebhookHeaderField.forEachItem(of: value, separatedBy: UInt8(ascii: ","), dividedBy: UInt8(ascii: "=")) { key, digits, _ in
            if key.elementsEqual("t".utf8) {
                timestampCount += 1
                parsedTimestamp = WebhookTimestamp.parse(digits: digits)
            } else if key.elementsEqual("v1".utf8) {
                count += 1
            }
        }
        guard timestampCount < 2 else {
            throw WebhookSignatureError(.malformedHeader, "Stripe-Signature holds t= more than once")
        }
        guard timestampCount == 1 else {
            throw WebhookSignatureError(.malformedHeader, "Stripe-Signature has no t= timestamp")
        }
        guard let timestamp = parsedTimestamp else {
            throw WebhookSignatureError(.malformedHeader, "Stripe-Signature t= is not a whole number of seconds")
        }
        guard count > 0 else {
            throw WebhookSignatureError(.noSupportedSignature, "Stripe-Signature has no v1 signature (other schemes are not checked)")
        }
        self.value = value
        self.timestamp = timestamp
        self.count = count
    }

    /// Whether a `v1` signature decodes to `expected`, compared in constant time; and how many
    /// were not hex.
    func match(_ expected: [UInt8]) -> (matched: Bool, undecodable: Int) {
        var matched = false
        var undecodable = 0
        WebhookHeaderField.forEachItem(of: value, separatedBy: UInt8(ascii: ","), dividedBy: UInt8(ascii: "=")) { key, _, text in
            guard key.elementsEqual("v1".utf8) else { return }
            guard let decoded = Hex.decode(text()) else {
                undecodable += 1
                return
            }
            if Crypto.timingSafeEqual(expected, decoded) { matched = true }
        }
        return (matched, undecodable)
    }
}
