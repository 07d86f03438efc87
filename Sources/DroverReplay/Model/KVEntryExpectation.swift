import Drover

/// One key's check in `expect.kv`: exactly one of `value`, `json`, `jsonSubset`, `base64`, `absent`.
package struct KVEntryExpectation: Sendable {
    /// What the stored value must be.
    package enum Check: Sendable, Equatable {
        /// The value's UTF-8 text.
        case text(String)
        /// The value parses to exactly this JSON.
        case json(JSONValue)
        /// The value parses to JSON holding every listed key.
        case jsonSubset(JSONValue)
        /// The value's bytes.
        case bytes([UInt8])
        /// The key holds nothing (or has expired).
        case absent
    }

    /// The namespace binding as named in the fixture.
    package var binding: String
    /// The key.
    package var key: String
    /// The check.
    package var check: Check
    /// `expect.kv.BINDING.KEY`.
    package var path: JSONPath

    /// The keys the fixture format allows in one KV check (Docs/fixtures.md).
    package static let keys = ["value", "json", "jsonSubset", "base64", "absent"]
}
