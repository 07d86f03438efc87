import Drover

/// The counts of one queue, as `drover queues list` shows them and fixtures check them.
package struct QueueStats: Sendable, Hashable {
    /// The queue's name.
    package var queue: String
    /// Messages deliverable now.
    package var ready: Int
    /// Messages waiting for their delay (send delay or retry delay) to pass.
    package var delayed: Int
    /// Messages handed to a consumer and not yet acknowledged or retried.
    package var inFlight: Int
    /// Messages this queue has sent to its dead-letter queue, ever (a counter, not a backlog).
    package var deadLettered: Int
    /// Messages this queue's consumer dropped after its retries (no dead-letter queue), ever.
    package var dropped: Int

    /// Creates counts.
    package init(
        queue: String,
        ready: Int = 0,
        delayed: Int = 0,
        inFlight: Int = 0,
        deadLettered: Int = 0,
        dropped: Int = 0
    ) {
        self.queue = queue
        self.ready = ready
        self.delayed = delayed
        self.inFlight = inFlight
        self.deadLettered = deadLettered
        self.dropped = dropped
    }

    /// Messages not yet acknowledged, dropped or dead-lettered, delayed and in-flight ones included:
    /// the `pending` of a fixture's `expect.queues` (Docs/fixtures.md).
    package var pending: Int { ready + delayed + inFlight }
}

/// A message sitting in a dead-letter queue, as `drover queues dlq list` shows it.
package struct DeadLetter: Sendable, Hashable {
    /// The message id, unchanged since it was first sent.
    package var id: String
    /// The queue that dead-lettered it (where `replay` sends it back).
    package var sourceQueue: String
    /// The dead-letter queue holding it.
    package var deadLetterQueue: String
    /// When it was first sent (kept through dead-lettering).
    package var timestampMilliseconds: Int64
    /// The declared content type.
    package var contentType: QueueContentType
    /// The body as sent.
    package var body: MessageBody
    /// How often the dead-letter queue's own consumer has received it (0 when it has none).
    package var deliveries: Int
    /// Whether a consumer of the dead-letter queue holds it right now (replay skips it).
    package var inFlight: Bool
    /// The `traceparent` of the invocation that sent it, kept through dead-lettering; `nil` when
    /// it was sent outside one.
    package var traceparent: String?
    /// Why it last failed: what the handler threw, a retry the consumer asked for, a missed lease
    /// deadline; nil when not recorded (a message dead-lettered before Drover kept it).
    package var lastError: String? = nil
    /// The deliveries it had on its source queue before it was dead-lettered; nil when not recorded.
    package var failedDeliveries: Int? = nil
}
