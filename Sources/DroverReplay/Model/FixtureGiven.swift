import Drover
import Foundation

/// The state before the first step (Docs/fixtures.md, `given`). Bindings keep document order.
package struct FixtureGiven: Sendable {
    /// KV entries per namespace binding.
    package var kv: [(binding: String, entries: [KVSeedEntry])] = []
    /// SQL statements per D1 binding, run in order after the migrations.
    package var d1: [(binding: String, statements: [String])] = []
    /// Messages per queue (producer binding or queue name).
    package var queues: [(queue: String, messages: [QueueSeedMessage])] = []
    /// Durable Objects per namespace binding.
    package var durableObjects: [(binding: String, objects: [DurableObjectSeed])] = []

    /// Nothing before the first step.
    package init() {}
}

/// One KV entry of `given.kv`: exactly one of `value`, `json`, `base64`.
package struct KVSeedEntry: Sendable {
    /// The stored value.
    package enum Value: Sendable, Equatable {
        /// `value`: UTF-8 text.
        case text(String)
        /// `json`: stored as its compact JSON text.
        case json(JSONValue)
        /// `base64`: the decoded bytes.
        case bytes([UInt8])
    }

    /// The key (any string).
    package var key: String
    /// The value.
    package var value: Value
    /// Absolute expiry, seconds since the epoch.
    package var expiration: Int64?
    /// Expiry relative to the fixture's `now`, in seconds.
    package var expirationTtl: Int64?
    /// The entry's metadata.
    package var metadata: JSONValue?
    /// Where the entry is (`given.kv.SESSIONS[0]`), for messages.
    package var path: JSONPath

    /// The bytes to store.
    package var bytes: [UInt8] {
        switch value {
        case .text(let text): Array(text.utf8)
        case .json(let json): JSONSerializer.bytes(json)
        case .bytes(let bytes): bytes
        }
    }
}

/// One message of `given.queues`.
package struct QueueSeedMessage: Sendable {
    /// The body as written. For `contentType` `text` a string; for `bytes` a base64 string.
    package var body: JSONValue
    /// `text`, `bytes`, `json` or `v8` (Cloudflare Queues content types); `nil` for the producer's default (`json`).
    package var contentType: String?
    /// Where the message is, for messages.
    package var path: JSONPath

    /// The content types Cloudflare Queues accepts (Queues docs, "QueueSendOptions").
    package static let contentTypes = ["text", "bytes", "json", "v8"]
}
