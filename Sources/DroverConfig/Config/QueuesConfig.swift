/// `[queues]`: producer bindings and consumers.
public struct QueuesConfig: Sendable, Equatable {
    /// `[[queues.producers]]`.
    public var producers: [QueueProducerConfig]
    /// `[[queues.consumers]]`.
    public var consumers: [QueueConsumerConfig]

    /// Creates the queues section.
    public init(producers: [QueueProducerConfig] = [], consumers: [QueueConsumerConfig] = []) {
        self.producers = producers
        self.consumers = consumers
    }
}
