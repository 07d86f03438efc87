import Drover
import Synchronization

/// The real-time dispatch of one consumer (`drover dev`).
///
/// A batch goes out as soon as `max_batch_size` messages are deliverable, or when
/// `max_batch_timeout` has passed since the loop first saw a partial batch waiting
/// (https://developers.cloudflare.com/queues/configuration/batching-retries/). At most
/// `max_concurrency` batches are in the consumer's hands at once. The loop sleeps on its
/// ``Doorbell`` between looks: a send in this process wakes it at once; otherwise it looks at the
/// store every ``QueueBroker/pollInterval``. At most once per poll interval it also gives up the
/// queue's expired leases and releases those of instances that are gone
/// (``QueueBroker/reclaimExpiredLeases(_:)``), whichever process holds them.
///
/// Once the broker is stopped, the loop hands out nothing more: a batch leased while shutdown
/// began is released untouched (its delivery not counted).
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
            var lastReclaim: ContinuousClock.Instant?
            while !broker.isStopped {
                if lastReclaim.map({ $0.duration(to: .now) >= QueueBroker.pollInterval }) ?? true {
                    lastReclaim = .now
                    _ = await storeCall { _, _ in try await broker.reclaimExpiredLeases(settings) }
                }
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
                let lease = await storeCall { store, now in
                    try await store.lease(
                        queue: settings.queue,
                        now: now,
                        deadline: now + broker.visibilityTimeoutMilliseconds,
                        limit: settings.maxBatchSize
                    )
                }
                guard let lease, !lease.messages.isEmpty else { continue }
                if broker.isStopped {
                    _ = await storeCall { store, _ in
                        try await store.release(token: lease.token, lease.messages.map(\.seq), undoDelivery: true)
                    }
                    break
                }
                active.add(1)
                group.addTask {
                    do {
                        try await broker.process(lease, settings: settings, deliver: deliver)
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
