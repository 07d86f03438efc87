import Drover
import Synchronization

/// The real-time dispatch of one consumer (`drover dev`).
///
/// A batch goes out as soon as `max_batch_size` messages are deliverable, or when
/// `max_batch_timeout` has passed since the loop first saw a partial batch waiting
/// (https://developers.cloudflare.com/queues/configuration/batching-retries/). At most
/// `max_concurrency` batches are in the consumer's hands at once. The loop sleeps on its
/// ``Doorbell`` between looks: a send in this process wakes it at once; otherwise it looks at the
/// store every ``QueueBroker/pollInterval``.
struct QueueConsumerLoop: Sendable {
    let settings: QueueConsumerSettings
    let broker: QueueBroker
    let doorbell: Doorbell
    let deliver: QueueBroker.Deliver

    func run() async {
        let limit = settings.maxConcurrency ?? 1
        let active = BatchCounter()
        await withDiscardingTaskGroup { group in
            var fillDeadline: ContinuousClock.Instant?
            while !broker.isStopped {
                if active.value >= limit {
                    await doorbell.wait(timeout: QueueBroker.pollInterval)
                    continue
                }
                let ready = await storeCall { store, now in
                    try await store.readyCount(queue: settings.queue, now: now, limit: settings.maxBatchSize)
                }
                guard let ready else { continue }
                if ready == 0 {
                    fillDeadline = nil
                    await doorbell.wait(timeout: QueueBroker.pollInterval)
                    continue
                }
                if ready < settings.maxBatchSize {
                    let deadline = fillDeadline ?? ContinuousClock.now.advanced(by: settings.maxBatchTimeout)
                    fillDeadline = deadline
                    let remaining = ContinuousClock.now.duration(to: deadline)
                    if remaining > .zero {
                        await doorbell.wait(timeout: min(remaining, QueueBroker.pollInterval))
                        continue
                    }
                }
                fillDeadline = nil
                let leased = await storeCall { store, now in
                    try await store.lease(queue: settings.queue, now: now, limit: settings.maxBatchSize)
                }
                guard let leased, !leased.isEmpty else { continue }
                active.add(1)
                group.addTask {
                    do {
                        try await broker.process(leased, settings: settings, deliver: deliver)
                    } catch {
                        broker.logger.error("queue \(settings.queue): \(error)")
                    }
                    active.add(-1)
                    doorbell.ring()
                }
            }
        }
    }

    /// Runs `call` on the store with the clock's now in milliseconds. A failure is logged and
    /// answered `nil` after a second's pause, so the loop looks again.
    private func storeCall<T>(_ call: (QueueStore, Int64) async throws -> T) async -> T? {
        do {
            return try await call(broker.store, broker.clock.nowMilliseconds())
        } catch {
            broker.logger.error("queue \(settings.queue): \(error)")
            await doorbell.wait(timeout: .seconds(1))
            return nil
        }
    }
}

/// The number of batches a consumer has in flight, shared with the tasks delivering them.
private final class BatchCounter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func add(_ delta: Int) { count.add(delta, ordering: .acquiringAndReleasing) }
}
