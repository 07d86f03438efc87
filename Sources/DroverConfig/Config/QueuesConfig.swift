/// `[queues]`: producer bindings and consumers.
package struct QueuesConfig: Sendable, Equatable {
    /// `[[queues.producers]]`.
    package var producers: [QueueProducerConfig]
    /// `[[queues.consumers]]`.
    package var consumers: [QueueConsumerConfig]

    /// Creates the queues section.
    package init(producers: [QueueProducerConfig] = [], consumers: [QueueConsumerConfig] = []) {
        self.producers = producers
        self.consumers = consumers
    }
}
