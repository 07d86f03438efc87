import Drover

/// The signatures in a `svix-signature` (or `webhook-signature`) value: entries separated by
/// single spaces, each `<version>,<signature>` (Standard Webhooks 1.0.0, "Webhook headers"), such
/// as `v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1a,hnO3...`. Several are sent while a
/// secret is rotated.
///
/// Only `v1` (HMAC-SHA256, base64) counts. Entries of other versions (`v1a`, ed25519) and entries
/// without a comma are skipped, as the svix and standardwebhooks libraries skip them; empty
/// entries (two spaces in a row) too. The signature is everything after the first comma.
///
/// The value is read twice, not kept as a list: once to count the `v1` entries, once to compare
/// them with the expected signature — a webhook holds one or two, and each list costs allocations.
struct SvixSignatureList {
    private let value: String
    /// How many `v1` entries the value holds.
    let count: Int

    /// The `v1` entries of `value`; any text parses, to none at worst.
    init(parsing value: String) {
        var count = 0
        WebhookHeaderField.forEachItem(of: value, separatedBy: UInt8(ascii: " "), dividedBy: UInt8(ascii: ",")) { version, _, _ in
            if version.elementsEqual("v1".utf8) { count += 1 }
        }
        self.value = value
        self.count = count
    }

    /// Whether a `v1` signature decodes to `expected`, compared in constant time; and how many
    /// were not strict base64 (padded or not).
    func match(_ expected: [UInt8]) -> (matched: Bool, undecodable: Int) {
        var matched = false
        var undecodable = 0
        WebhookHeaderField.forEachItem(of: value, separatedBy: UInt8(ascii: " "), dividedBy: UInt8(ascii: ",")) { version, _, signature in
            guard version.elementsEqual("v1".utf8) else { return }
            guard let decoded = Base64.decode(signature()) else {
                undecodable += 1
                return
            }
            if Crypto.timingSafeEqual(expected, decoded) { matched = true }
        }
        return (matched, undecodable)
    }
}
