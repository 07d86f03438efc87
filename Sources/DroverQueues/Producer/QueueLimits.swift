import Drover

/// The platform's producer limits and their error messages, verbatim
/// (https://developers.cloudflare.com/queues/platform/limits/; wording as in Miniflare's
/// `broker.worker.ts` and the workerd binding).
enum QueueLimits {
    /// Bytes in one message.
    static let maxMessageBytes = 128_000
    /// Messages in one `sendBatch`.
    static let maxBatchCount = 100
    /// Bytes in one `sendBatch` (256 KB + 32 KB of per-message overhead).
    static let maxBatchBytes = 288_000
    /// Seconds of `delaySeconds`, `delivery_delay` and `retry_delay` (12 hours).
    static let maxDelaySeconds = 43_200

    /// The content types a message may declare.
    static let contentTypes: Set<String> = ["text", "json", "bytes", "v8"]

    static func messageTooLarge(_ operation: String, bytes: Int) -> QueueError {
        QueueError("Queue \(operation) failed: message length of \(bytes) bytes exceeds limit of \(maxMessageBytes)")
    }

    static func batchTooMany(_ count: Int) -> QueueError {
        QueueError("Queue sendBatch failed: batch message count of \(count) exceeds limit of \(maxBatchCount)")
    }

    static func batchTooLarge(_ bytes: Int) -> QueueError {
        QueueError("Queue sendBatch failed: batch size of \(bytes) bytes exceeds limit of \(maxBatchBytes)")
    }

    static func invalidContentType(_ type: String) -> QueueError {
        QueueError(
            "message content type \(type) is invalid; if specified, must be one of 'text', 'json', 'bytes', or 'v8'"
        )
    }

    static func invalidDelay(_ operation: String, seconds: Int) -> QueueError {
        QueueError(
            "Queue \(operation) failed: delaySeconds of \(seconds) is invalid; it must be between 0 and \(maxDelaySeconds)"
        )
    }
}
