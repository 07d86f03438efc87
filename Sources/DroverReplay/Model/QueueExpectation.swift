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

    /// The keys the fixture format allows in one queue check (Docs/fixtures.md).
    package static let keys = ["pending", "deadLettered"]
}
