import Drover

/// How the verifiers read the headers a webhook scheme signs: absent and empty are the same
/// (as in every official verifier), and a value is bounded before anything parses it.
enum WebhookHeaderField {
    /// The longest signature, id or timestamp header accepted, in bytes. A `Stripe-Signature` with
    /// its `v0` and a rotated secret's second `v1` is about 220 bytes, a `svix-signature` with two
    /// signatures about 100; the bound keeps a hostile header from costing more than that much.
    static let maximumLength = 4096

    /// The value of the field `name` (repeated fields joined with `", "`, as Fetch's `get` does),
    /// or nil when it is absent or empty.
    static func value(_ name: String, in headers: Headers) -> String? {
        guard let value = headers[name], !value.isEmpty else { return nil }
        return value
    }

    /// Refuses `value`, the field `name`, when it is longer than ``maximumLength``.
    /// - Throws: ``WebhookSignatureError`` ``WebhookSignatureError/Reason/malformedHeader``.
    static func checkLength(_ value: String, name: String) throws(WebhookSignatureError) {
        let length = value.utf8.count
        guard length <= maximumLength else {
            throw WebhookSignatureError(.malformedHeader, "\(name) is \(length) bytes long; at most \(maximumLength) are accepted")
        }
    }
}
