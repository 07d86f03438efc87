/// One `[[queues.consumers]]` entry: how a queue's messages are batched, retried and dead-lettered.
///
/// Defaults are the platform's production defaults, not Miniflare's (5 / 1 s / 2): batches of 10,
/// 5 seconds to fill one, 3 retries (https://developers.cloudflare.com/queues/configuration/configure-queues/).
///
/// `maxRetries` counts *retries*, not deliveries: a message is delivered at most `maxRetries + 1`
/// times, and the failure of delivery number `maxRetries + 1` sends it to `deadLetterQueue` or
/// drops it. That is what the platform documents ("after retrying delivery (by default, 3 times)",
/// https://developers.cloudflare.com/queues/configuration/dead-letter-queues/) and what Miniflare
/// implements (`maxAttempts = maxRetries + 1` in `broker.worker.ts`).
package struct QueueConsumerSettings: Sendable, Hashable {
    /// The queue consumed (its name, not a producer binding).
    package var queue: String
    /// The most messages in one batch, 1 to 100 (default 10).
    package var maxBatchSize: Int
    /// How long a partial batch waits to fill before it is delivered anyway, 0 to 60 s (default 5 s).
    package var maxBatchTimeout: Duration
    /// Retries before the message is dead-lettered or dropped, 0 to 100 (default 3).
    package var maxRetries: Int
    /// Where messages go after their last retry; `nil` drops them.
    package var deadLetterQueue: String?
    /// Seconds before a retried message is delivered again when `retry()` names no delay, 0 to
    /// 43 200 (default 0).
    package var retryDelay: Int?
    /// The most batches of this queue handled at once, 1 to 250. Unset, Drover handles one batch
    /// at a time, as Miniflare does locally (the platform autoscales instead).
    package var maxConcurrency: Int?

    /// Creates settings with the platform's defaults.
    package init(
        queue: String,
        maxBatchSize: Int = 10,
        maxBatchTimeout: Duration = .seconds(5),
        maxRetries: Int = 3,
        deadLetterQueue: String? = nil,
        retryDelay: Int? = nil,
        maxConcurrency: Int? = nil
    ) {
        self.queue = queue
        self.maxBatchSize = maxBatchSize
        self.maxBatchTimeout = maxBatchTimeout
        self.maxRetries = maxRetries
        self.deadLetterQueue = deadLetterQueue
        self.retryDelay = retryDelay
        self.maxConcurrency = maxConcurrency
    }

    /// Checks every value against the platform's limits (https://developers.cloudflare.com/queues/platform/limits/).
    /// - Throws: ``QueuesError`` naming the consumer and the setting.
    package func validate() throws(QueuesError) {
        func fail(_ text: String) -> QueuesError {
            .invalidSettings("queue consumer \"\(queue)\": \(text)")
        }
        if queue.isEmpty { throw .invalidSettings("queue consumer: queue name is empty") }
        guard (1...100).contains(maxBatchSize) else { throw fail("max_batch_size must be 1 to 100, got \(maxBatchSize)") }
        guard maxBatchTimeout >= .zero, maxBatchTimeout <= .seconds(60) else {
            throw fail("max_batch_timeout must be 0 to 60 seconds, got \(maxBatchTimeout)")
        }
        guard (0...100).contains(maxRetries) else { throw fail("max_retries must be 0 to 100, got \(maxRetries)") }
        if let retryDelay, !(0...QueueLimits.maxDelaySeconds).contains(retryDelay) {
            throw fail("retry_delay must be 0 to \(QueueLimits.maxDelaySeconds) seconds, got \(retryDelay)")
        }
        if let maxConcurrency, !(1...250).contains(maxConcurrency) {
            throw fail("max_concurrency must be 1 to 250, got \(maxConcurrency)")
        }
        if deadLetterQueue == queue { throw fail("dead_letter_queue must differ from the queue itself") }
    }

    /// Checks each consumer, and that no queue has two: the platform allows one consumer per queue.
    /// - Throws: ``QueuesError`` naming the first problem.
    package static func validate(_ consumers: [QueueConsumerSettings]) throws(QueuesError) {
        var seen: Set<String> = []
        for consumer in consumers {
            try consumer.validate()
            if !seen.insert(consumer.queue).inserted {
                throw .invalidSettings("queue \"\(consumer.queue)\" has more than one consumer; a queue has at most one")
            }
        }
    }
}
