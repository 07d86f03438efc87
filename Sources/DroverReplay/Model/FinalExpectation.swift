import Drover
import Foundation

/// The top-level `expect`: the state after the last step (Docs/fixtures.md, `expect`).
package struct FinalExpectation: Sendable {
    /// KV checks per namespace binding, in document order.
    package var kv: [KVEntryExpectation] = []
    /// D1 queries and their exact rows.
    package var d1: [D1QueryExpectation] = []
    /// Queue counts per queue (producer binding or queue name).
    package var queues: [QueueExpectation] = []
    /// Durable Object checks, in document order.
    package var durableObjects: [DurableObjectExpectation] = []
    /// How many outbound `fetch` calls the run made (matched or not).
    package var upstreamCalls: Int?
    /// Texts that must each appear in what the run logged.
    package var logsContain: [String] = []
    /// Texts that must not appear in what the run logged.
    package var logsNotContain: [String] = []

    /// The keys the fixture format defines for the top-level `expect`.
    package static let keys = ["kv", "d1", "queues", "durableObjects", "upstreamCalls", "logsContain", "logsNotContain"]

    /// Where `logsContain`/`logsNotContain`/`upstreamCalls` are.
    package static let path = JSONPath("expect")

    /// Checks nothing.
    package init() {}
}
