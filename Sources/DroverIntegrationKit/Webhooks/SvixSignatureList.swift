import Drover

/// The signatures in a `svix-signature` (or `webhook-signature`) value: entries separated by
/// single spaces, each `<version>,<signature>` (Standard Webhooks 1.0.0, "Webhook headers"), such
/// as `v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1a,hnO3...`. Several are sent while a
/// secret is rotated.
///
/// Only `v1` (HMAC-SHA256, base64) is kept. Entries of other versions (`v1a`, ed25519) and
/// entries without a comma are skipped, as the svix and standardwebhooks libraries skip them;
/// empty entries (two spaces in a row) too. The signature is everything after the first comma.
/// Bytes are split, not characters, so a combining mark after a space cannot join it.
struct SvixSignatureList: Equatable {
    /// The `v1` signatures that are base64 (padded or not), decoded, in order.
    private(set) var signatures: [[UInt8]] = []
    /// How many `v1` entries were not strict base64.
    private(set) var undecodable = 0

    /// The `v1` signatures of `value`; any text parses, to an empty list at worst.
    init(parsing value: String) {
        for entry in value.utf8.split(separator: UInt8(ascii: " ")) {
            guard let comma = entry.firstIndex(of: UInt8(ascii: ",")),
                entry[..<comma].elementsEqual("v1".utf8)
            else { continue }
            if let signature = Base64.decode(Substring(entry[entry.index(after: comma)...])) {
                signatures.append(signature)
            } else {
                undecodable += 1
            }
        }
    }
}
