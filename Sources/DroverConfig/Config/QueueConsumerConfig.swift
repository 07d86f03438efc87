/// A `[[queues.consumers]]` entry with Cloudflare's defaults and limits
/// (https://developers.cloudflare.com/queues/platform/limits/ and wrangler's configuration reference).
package struct QueueConsumerConfig: Sendable, Equatable {
    /// The largest batch allowed, and the default.
    package static let maxBatchSizeLimit = 100, defaultMaxBatchSize = 10
    /// The longest batch wait in seconds, and the default.
    package static let maxBatchTimeoutLimit = 60, defaultMaxBatchTimeout = 5
    /// The most retries allowed, and the default.
    package static let maxRetriesLimit = 100, defaultMaxRetries = 3
    /// The longest retry or delivery delay in seconds (12 hours).
    package static let maxDelaySeconds = 43_200
    /// The most concurrent consumer invocations.
    package static let maxConcurrencyLimit = 250

    /// The queue consumed.
    package var queue: String
    /// Messages per batch, 1...100, default 10.
    package var maxBatchSize: Int
    /// Seconds to wait for a full batch, 0...60, default 5.
    package var maxBatchTimeout: Int
    /// Deliveries after the first before a message goes to the dead letter queue, 0...100, default 3.
    package var maxRetries: Int
    /// Where messages go after ``maxRetries``; nil drops them.
    package var deadLetterQueue: String?
    /// Seconds before a retried message is redelivered, 0...43200; nil means immediately.
    package var retryDelay: Int?
    /// Concurrent batches, 1...250; nil lets the runtime decide.
    package var maxConcurrency: Int?

    /// Creates a consumer with Cloudflare's defaults.
    package init(
        queue: String,
        maxBatchSize: Int = defaultMaxBatchSize,
        maxBatchTimeout: Int = defaultMaxBatchTimeout,
        maxRetries: Int = defaultMaxRetries,
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
}
