import Drover
import Foundation

/// The top-level `expect`: the state after the last step (FIXTURES.md, `expect`).
package struct FinalExpectation: Sendable {
    /// KV checks per namespace binding, in document order.
    package var kv: [KVEntryExpectation] = []
    /// D1 queries and their exact rows.
    package var d1: [D1QueryExpectation] = []
    /// Queue counts per queue (producer binding or queue name).
    package var queues: [QueueExpectation] = []
    /// How many outbound `fetch` calls the run made (matched or not).
    package var upstreamCalls: Int?
    /// Texts that must each appear in what the run logged.
    package var logsContain: [String] = []
    /// Texts that must not appear in what the run logged.
    package var logsNotContain: [String] = []

    /// The keys FIXTURES.md defines for the top-level `expect`.
    package static let keys = ["kv", "d1", "queues", "upstreamCalls", "logsContain", "logsNotContain"]

    /// Where `logsContain`/`logsNotContain`/`upstreamCalls` are.
    package static let path = JSONPath("expect")

    /// Checks nothing.
    package init() {}
}

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

    /// The keys FIXTURES.md allows in one KV check.
    package static let keys = ["value", "json", "jsonSubset", "base64", "absent"]
}

/// One query in `expect.d1` whose result must be exactly `rows`.
package struct D1QueryExpectation: Sendable {
    /// The D1 binding.
    package var database: String
    /// The SQL to run.
    package var query: String
    /// The rows: column name to value (integers, reals, text, null; blobs as `{"base64": "..."}`).
    package var rows: [JSONObject]
    /// `expect.d1[i]`.
    package var path: JSONPath

    /// The keys FIXTURES.md allows in one D1 check.
    package static let keys = ["db", "query", "rows"]

    /// How a blob column value is written in `rows`: `{"base64": "..."}`.
    package static func blob(_ bytes: [UInt8]) -> JSONValue {
        ["base64": .string(Data(bytes).base64EncodedString())]
    }
}

/// One queue's counts in `expect.queues`.
package struct QueueExpectation: Sendable {
    /// The queue as named in the fixture (producer binding or queue name).
    package var queue: String
    /// Messages not yet acknowledged, dropped or dead-lettered (delayed ones included).
    package var pending: Int?
    /// Messages this queue sent to its dead-letter queue.
    package var deadLettered: Int?
    /// `expect.queues.NAME`.
    package var path: JSONPath

    /// The keys FIXTURES.md allows in one queue check.
    package static let keys = ["pending", "deadLettered"]
}
