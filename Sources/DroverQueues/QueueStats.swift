import Drover

/// The counts of one queue, as `drover queues list` shows them and fixtures check them.
public struct QueueStats: Sendable, Hashable {
    /// The queue's name.
    public var queue: String
    /// Messages deliverable now.
    public var ready: Int
    /// Messages waiting for their delay (send delay or retry delay) to pass.
    public var delayed: Int
    /// Messages handed to a consumer and not yet acknowledged or retried.
    public var inFlight: Int
    /// Messages this queue has sent to its dead-letter queue, ever (a counter, not a backlog).
    public var deadLettered: Int
    /// Messages this queue's consumer dropped after its retries (no dead-letter queue), ever.
    public var dropped: Int

    /// Creates counts.
    public init(
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
    public var pending: Int { ready + delayed + inFlight }
}

/// A message sitting in a dead-letter queue, as `drover queues dlq list` shows it.
public struct DeadLetter: Sendable, Hashable {
    /// The message id, unchanged since it was first sent.
    public var id: String
    /// The queue that dead-lettered it (where `replay` sends it back).
    public var sourceQueue: String
    /// The dead-letter queue holding it.
    public var deadLetterQueue: String
    /// When it was first sent (kept through dead-lettering).
    public var timestampMilliseconds: Int64
    /// The declared content type.
    public var contentType: QueueContentType
    /// The body as sent.
    public var body: MessageBody
    /// How often the dead-letter queue's own consumer has received it (0 when it has none).
    public var deliveries: Int
    /// Whether a consumer of the dead-letter queue holds it right now (replay skips it).
    public var inFlight: Bool
    /// The `traceparent` of the invocation that sent it, kept through dead-lettering; `nil` when
    /// it was sent outside one.
    public var traceparent: String?
}
