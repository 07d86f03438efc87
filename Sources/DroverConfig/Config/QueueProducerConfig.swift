/// A `[[queues.producers]]` entry (wrangler: `queue`, `binding`, `delivery_delay`).
public struct QueueProducerConfig: Sendable, Equatable {
    /// The name the worker uses: `env.queue("BINDING")`.
    public var binding: String
    /// The queue's name.
    public var queue: String
    /// Seconds every message waits before delivery, 0...43200 (Cloudflare Queues limit: 12 hours).
    public var deliveryDelay: Int

    /// Creates a producer binding.
    public init(binding: String, queue: String, deliveryDelay: Int = 0) {
        self.binding = binding
        self.queue = queue
        self.deliveryDelay = deliveryDelay
    }
}
