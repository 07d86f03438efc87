/// A `[[queues.producers]]` entry (wrangler: `queue`, `binding`, `delivery_delay`).
package struct QueueProducerConfig: Sendable, Equatable {
    /// The name the worker uses: `env.queue("BINDING")`.
    package var binding: String
    /// The queue's name.
    package var queue: String
    /// Seconds every message waits before delivery, 0...43200 (Cloudflare Queues limit: 12 hours).
    package var deliveryDelay: Int

    /// Creates a producer binding.
    package init(binding: String, queue: String, deliveryDelay: Int = 0) {
        self.binding = binding
        self.queue = queue
        self.deliveryDelay = deliveryDelay
    }
}
