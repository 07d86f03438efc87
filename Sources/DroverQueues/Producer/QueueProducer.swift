import Drover

/// The `Queue` binding of one queue: validates like the platform, then stores durably.
///
/// `send` returns only after the message is committed to the store, so it survives a crash of the
/// process from then on (see ``QueueStore``). A refused message changes nothing: a batch with one
/// bad message stores none of them.
///
/// A message sent during an invocation (``Drover/TraceContext/current``) is stored with its
/// `traceparent`, and its consumer reads it back as ``Drover/Message/trace``.
package struct QueueProducer: Queue {
    /// The queue written to.
    package let queue: String
    /// The producer's `delivery_delay`: the delay of messages that name none.
    package let deliveryDelay: Int?
    private let broker: QueueBroker

    init(queue: String, deliveryDelay: Int?, broker: QueueBroker) {
        self.queue = queue
        self.deliveryDelay = deliveryDelay
        self.broker = broker
    }

    /// Sends one message.
    /// - Throws: ``Drover/QueueError`` with the platform's message when the message is over
    ///   128 000 bytes, its content type is unknown or its delay is outside 0...43 200 seconds;
    ///   ``QueuesError`` when the store fails.
    package func send(_ message: MessageSendRequest) async throws {
        let stored = try prepare(message, batchDelay: nil, operation: "send", traceparent: TraceContext.current?.traceparent)
        try await broker.store.insert(queue: queue, [stored])
        broker.wake(queue: queue)
    }

    /// Sends up to 100 messages, at most 288 000 bytes together, all or none.
    /// - Throws: ``Drover/QueueError`` with the platform's message; nothing is stored then.
    package func sendBatch(_ messages: [MessageSendRequest], delaySeconds: Int?) async throws {
        if messages.count > QueueLimits.maxBatchCount { throw QueueLimits.batchTooMany(messages.count) }
        if let delaySeconds, !(0...QueueLimits.maxDelaySeconds).contains(delaySeconds) {
            throw QueueLimits.invalidDelay("sendBatch", seconds: delaySeconds)
        }
        var stored: [StoredMessage] = []
        stored.reserveCapacity(messages.count)
        var total = 0
        let traceparent = TraceContext.current?.traceparent
        for message in messages {
            let prepared = try prepare(message, batchDelay: delaySeconds, operation: "sendBatch", traceparent: traceparent)
            total += prepared.bodyBytes.count
            stored.append(prepared)
        }
        if total > QueueLimits.maxBatchBytes { throw QueueLimits.batchTooLarge(total) }
        guard !stored.isEmpty else { return }
        try await broker.store.insert(queue: queue, stored)
        broker.wake(queue: queue)
    }

    private func prepare(_ message: MessageSendRequest, batchDelay: Int?, operation: String, traceparent: String?) throws -> StoredMessage {
        let contentType = message.contentType ?? Self.defaultContentType(message.body)
        guard QueueLimits.contentTypes.contains(contentType.rawValue) else {
            throw QueueLimits.invalidContentType(contentType.rawValue)
        }
        // The message's own delay wins over the batch's, which wins over the producer's
        // delivery_delay (https://developers.cloudflare.com/queues/configuration/batching-retries/#delay-messages).
        let delay = message.delaySeconds ?? batchDelay ?? deliveryDelay ?? 0
        guard (0...QueueLimits.maxDelaySeconds).contains(delay) else {
            throw QueueLimits.invalidDelay(operation, seconds: delay)
        }
        let now = broker.clock.nowMilliseconds()
        let stored = StoredMessage(
            id: MessageID.make(),
            timestampMilliseconds: now,
            contentType: contentType,
            body: message.body,
            visibleAtMilliseconds: now + Int64(delay) * 1000,
            traceparent: traceparent
        )
        if stored.bodyBytes.count > QueueLimits.maxMessageBytes {
            throw QueueLimits.messageTooLarge(operation, bytes: stored.bodyBytes.count)
        }
        return stored
    }

    private static func defaultContentType(_ body: MessageBody) -> QueueContentType {
        switch body {
        case .json: .json
        case .text: .text
        case .bytes: .bytes
        }
    }
}

/// Message ids: 16 random bytes as 32 lower-case hex characters, like the platform's.
enum MessageID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next()) + hex(generator.next())
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
