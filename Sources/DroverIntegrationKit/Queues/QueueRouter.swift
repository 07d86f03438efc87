import Drover

/// Routes queue batches by queue name to consumers — what ``Router`` is for requests. A queue
/// router is itself a queue-only ``Worker``, so a worker's `queue` entry point is one line.
///
/// ```swift
/// var queues = QueueRouter()
/// queues.on("orders") { batch, env, ctx in
///     for message in batch.messages { try await fulfil(message, env: env); message.ack() }
/// }
/// queues.on("orders-dlq") { batch, env, ctx in try await park(batch, env: env) }
///
/// func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
///     try await queues.queue(batch, env: env, ctx: ctx)
/// }
/// ```
///
/// **Names.** A batch goes to the consumer registered for exactly its ``MessageBatch/queue``
/// (compared byte for byte: queue names are case-sensitive). For one name the first
/// registration wins, as for one pattern in ``Router``.
///
/// **Dead letters.** A dead-letter queue is a queue like any other: a message past its
/// consumer's `max_retries` is sent there and delivered to the consumer of that name, so
/// `on("orders-dlq")` handles them (a worker consumes it when the config declares a consumer
/// for it).
///
/// **Unknown queues.** A batch for a queue with no consumer goes to the ``fallback(_:)`` handler;
/// without one, ``queue(_:env:ctx:)`` throws ``QueueRouterError/noConsumer(queue:registered:)``,
/// so the runtime logs it and retries every message (a consumer added by the next deploy gets
/// them; past `max_retries` they are dead-lettered, never silently acknowledged).
///
/// **Errors.** Whatever a consumer throws propagates: the messages it did not ack are retried
/// (see ``Worker/queue(_:env:ctx:)``).
public struct QueueRouter: Worker {
    /// Consumes one batch of the queue it was registered for.
    public typealias Handler = @Sendable (MessageBatch, Env, ExecutionContext) async throws -> Void

    private var consumers: [String: Handler] = [:]
    private var names: [String] = []
    private var fallbackHandler: Handler?

    /// An empty router: every batch goes to the fallback, which by default throws.
    public init() {}

    /// The queue names with a consumer, in registration order.
    public var queues: [String] { names }

    /// Routes batches of `queue` (a dead-letter queue too) to `handler`. A second registration
    /// of the same name is ignored: the first wins.
    public mutating func on(_ queue: String, _ handler: @escaping Handler) {
        guard consumers[queue] == nil else { return }
        consumers[queue] = handler
        names.append(queue)
    }

    /// Routes batches of every queue without a consumer to `handler`, instead of throwing
    /// ``QueueRouterError/noConsumer(queue:registered:)``. The last call wins.
    public mutating func fallback(_ handler: @escaping Handler) {
        fallbackHandler = handler
    }

    /// Hands `batch` to the consumer of its queue, else to the fallback.
    /// - Throws: whatever the consumer throws; ``QueueRouterError/noConsumer(queue:registered:)``
    ///   when no consumer and no fallback takes the batch (every message is then retried).
    public func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        if let consumer = consumers[batch.queue] {
            try await consumer(batch, env, ctx)
        } else if let fallbackHandler {
            try await fallbackHandler(batch, env, ctx)
        } else {
            throw QueueRouterError.noConsumer(queue: batch.queue, registered: names)
        }
    }
}
