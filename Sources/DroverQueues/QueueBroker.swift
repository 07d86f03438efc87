import Drover
import Foundation
import Synchronization

/// Durable queues under one state directory: producers, consumer dispatch, counts and dead letters.
///
/// The broker knows nothing of workers. The runtime gives it a `deliver` closure that calls the
/// worker's `queue` entry point (with its `Env` and `ExecutionContext`, awaiting `waitUntil` work)
/// and returns whether the handler threw; the broker then reads the batch's decisions
/// (``Drover/MessageBatch``) and acknowledges, retries, dead-letters or drops each message.
///
/// Two ways to deliver:
/// - ``startConsumers(_:deliver:)`` for `drover dev`: real time, batches filled up to
///   `max_batch_size` or for `max_batch_timeout`, woken by sends in this process and polling the
///   store every ``pollInterval`` for messages sent by another process and delays coming due;
/// - ``drain(_:queues:deliver:)`` for fixture replay: deterministic, under the injected clock.
///
/// Delivery is at least once: a message handed to a consumer whose process then dies is delivered
/// again once a consumer starts on the same directory. Without a crash each message is settled
/// exactly once.
public final class QueueBroker: Sendable {
    /// What the runtime does with one batch; returns `true` when the handler threw.
    public typealias Deliver = @Sendable (MessageBatch) async -> Bool

    /// How often an idle consumer looks at the store for messages it was not told about.
    public static let pollInterval: Duration = .milliseconds(100)

    let store: QueueStore
    let clock: any WallClock
    let logger: Logger
    private let doorbells = Mutex<[String: [Doorbell]]>([:])
    private let consumers = Mutex<[Task<Void, Never>]>([])
    private let stopped = Atomic<Bool>(false)

    /// Opens (creating when absent) the store in `directory`, normally `<state>/queues`.
    /// - Parameters:
    ///   - clock: "now" for message timestamps, delays and retries (a `ManualWallClock` in replay).
    ///   - logger: receives `QUEUE <name> <acked>/<total> (<ms>ms)` per batch and dead-letter notes.
    /// - Throws: ``QueuesError`` when the directory or database cannot be opened.
    public init(directory: String, clock: any WallClock, logger: Logger) throws {
        self.store = try QueueStore(directory: directory)
        self.clock = clock
        self.logger = logger
    }

    /// The `Queue` binding for `queue`.
    /// - Parameter deliveryDelay: the producer's `delivery_delay` in seconds, used when a send names
    ///   no delay.
    public func producer(queue: String, deliveryDelay: Int? = nil) -> QueueProducer {
        QueueProducer(queue: queue, deliveryDelay: deliveryDelay, broker: self)
    }

    // MARK: Real-time dispatch

    /// Starts one dispatch loop per consumer; they run until ``shutdown()``. Messages left in
    /// flight by a process that died are released first, so they are delivered again.
    /// - Throws: ``QueuesError`` for invalid settings or a store failure; nothing is started then.
    public func startConsumers(_ settings: [QueueConsumerSettings], deliver: @escaping Deliver) async throws {
        try QueueConsumerSettings.validate(settings)
        try await store.releaseAbandonedLeases()
        for consumer in settings {
            let doorbell = Doorbell()
            doorbells.withLock { $0[consumer.queue, default: []].append(doorbell) }
            let loop = QueueConsumerLoop(settings: consumer, broker: self, doorbell: doorbell, deliver: deliver)
            let task = Task { await loop.run() }
            consumers.withLock { $0.append(task) }
        }
    }

    /// Stops the dispatch loops after the batches they are delivering finish and are settled.
    /// Final: consumers do not start again on this broker (open a new one).
    public func shutdown() async {
        stopped.store(true, ordering: .sequentiallyConsistent)
        let bells = doorbells.withLock { $0.values.flatMap { $0 } }
        for bell in bells { bell.ring() }
        let tasks = consumers.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        for task in tasks { await task.value }
    }

    var isStopped: Bool { stopped.load(ordering: .sequentiallyConsistent) }

    /// Wakes the consumers of `queue` in this process (after a send or a dead-lettering).
    func wake(queue: String) {
        let bells = doorbells.withLock { $0[queue] ?? [] }
        for bell in bells { bell.ring() }
    }

    // MARK: Replay

    /// Delivers everything deliverable now to `consumers`, in batches of up to `max_batch_size`
    /// (ignoring `max_batch_timeout`), one batch at a time, repeating until nothing is deliverable:
    /// the `drainQueues` step of FIXTURES.md.
    ///
    /// Retries are followed through: when nothing is deliverable but a message waits for a retry
    /// delay and the clock is a `ManualWallClock`, the clock is moved to that retry's due time and
    /// draining goes on ("retries included, with their delays applied to the frozen clock"). A
    /// message *sent* with a delay that has not passed is not deliverable and does not move the
    /// clock: only an `advance` step makes it due (unless a retry's move passes its due time). With
    /// another clock, retries still waiting stay pending. Batches are delivered one at a time
    /// (`max_concurrency` is a real-time setting), so a drain is deterministic; a handler that sends
    /// a new message for every message it receives keeps it going for ever, as on the platform.
    ///
    /// - Parameters:
    ///   - consumers: every consumer of the configuration; a dead-letter queue is drained too when it
    ///     has a consumer here and is selected.
    ///   - queues: the queue names to drain; `nil` for every consumer.
    /// - Throws: ``QueuesError`` for invalid settings or a store failure.
    public func drain(_ consumers: [QueueConsumerSettings], queues: [String]? = nil, deliver: Deliver) async throws {
        try QueueConsumerSettings.validate(consumers)
        try await store.releaseAbandonedLeases()
        let selected = consumers.filter { queues?.contains($0.queue) ?? true }
        let manual = clock as? ManualWallClock
        while true {
            var deliveredAny = false
            for consumer in selected {
                while true {
                    let leased = try await store.lease(
                        queue: consumer.queue,
                        now: clock.nowMilliseconds(),
                        limit: consumer.maxBatchSize
                    )
                    if leased.isEmpty { break }
                    deliveredAny = true
                    try await process(leased, settings: consumer, deliver: deliver)
                }
            }
            if deliveredAny { continue }
            guard let manual, let due = try await store.nextRetryDue(queues: selected.map(\.queue)) else { return }
            let now = manual.nowMilliseconds()
            guard due > now else { return }  // leased elsewhere meanwhile: nothing more to do here
            manual.set(Date(timeIntervalSince1970: Double(due) / 1000))
            if manual.nowMilliseconds() < due { manual.advance(by: 0.001) }
        }
    }

    // MARK: One batch

    /// Hands `leased` to `deliver` as one batch and settles each message by the batch's decisions.
    func process(_ leased: [LeasedMessage], settings: QueueConsumerSettings, deliver: Deliver) async throws {
        let contents = leased.map { leased in
            Message.Content(
                id: leased.message.id,
                timestamp: Date(timeIntervalSince1970: Double(leased.message.timestampMilliseconds) / 1000),
                body: leased.message.body,
                attempts: leased.deliveries
            )
        }
        let batch = MessageBatch(queue: settings.queue, messages: contents)
        let started = ContinuousClock.now
        let threw = await deliver(batch)
        let elapsed = ContinuousClock.now - started
        let decisions = batch.ledger.outcome(handlerThrew: threw)
        let now = clock.nowMilliseconds()
        var fates: [(seq: Int64, fate: MessageFate)] = []
        fates.reserveCapacity(leased.count)
        var acked = 0
        for (message, decision) in zip(leased, decisions) {
            fates.append((message.seq, fate(of: message, decision, settings: settings, now: now)))
            if decision == .ack { acked += 1 }
        }
        do {
            try await store.settle(queue: settings.queue, fates, now: now)
        } catch {
            // Nothing was settled (one transaction). Release the leases so the messages are
            // delivered again rather than held until this process exits.
            try? await store.release(fates.map(\.seq))
            throw error
        }
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        logger.info("QUEUE \(settings.queue) \(acked)/\(leased.count) (\(milliseconds)ms)")
        if let deadLetterQueue = settings.deadLetterQueue, fates.contains(where: { $0.fate == .deadLetter(to: deadLetterQueue) }) {
            wake(queue: deadLetterQueue)
        }
    }

    /// The fate of one message given its decision. A retried message is delivered again while it
    /// has had at most `max_retries` + 1 deliveries; the failure of the last one dead-letters or
    /// drops it (see ``QueueConsumerSettings``).
    private func fate(
        of message: LeasedMessage,
        _ decision: MessageDecision,
        settings: QueueConsumerSettings,
        now: Int64
    ) -> MessageFate {
        guard case .retry(let requested) = decision else { return .acknowledge }
        let id = message.message.id
        let attempts = message.deliveries
        let plural = attempts == 1 ? "" : "s"
        if attempts <= settings.maxRetries {
            let delay = min(max(requested ?? settings.retryDelay ?? 0, 0), QueueLimits.maxDelaySeconds)
            logger.debug("Retrying message \"\(id)\" on queue \"\(settings.queue)\"...")
            return .retry(visibleAt: now + Int64(delay) * 1000)
        }
        if let deadLetterQueue = settings.deadLetterQueue {
            logger.warning(
                "Moving message \"\(id)\" on queue \"\(settings.queue)\" to dead letter queue "
                    + "\"\(deadLetterQueue)\" after \(attempts) failed attempt\(plural)..."
            )
            return .deadLetter(to: deadLetterQueue)
        }
        logger.warning("Dropped message \"\(id)\" on queue \"\(settings.queue)\" after \(attempts) failed attempt\(plural)!")
        return .drop
    }

    // MARK: Inspecting (the CLI, fixtures)

    /// Counts per queue, sorted by name: every queue with stored messages or dead-letter/drop
    /// counters, plus each of `names` (zeros when it has nothing). Safe while a dev server runs on
    /// the same directory in another process.
    /// - Throws: ``QueuesError`` when the store fails.
    public func stats(including names: [String] = []) async throws -> [QueueStats] {
        var all = try await store.stats(now: clock.nowMilliseconds())
        for name in names where all[name] == nil { all[name] = QueueStats(queue: name) }
        return all.values.sorted { $0.queue < $1.queue }
    }

    /// The counts of one queue (zeros when it has nothing).
    /// - Throws: ``QueuesError`` when the store fails.
    public func stats(queue: String) async throws -> QueueStats {
        try await store.stats(now: clock.nowMilliseconds())[queue] ?? QueueStats(queue: queue)
    }

    /// The dead letters that `queue` sent to its dead-letter queue and that are still there, oldest
    /// first; when `queue` is itself a dead-letter queue, the dead letters it holds.
    /// - Throws: ``QueuesError`` when the store fails.
    public func deadLetters(queue: String) async throws -> [DeadLetter] {
        try await store.deadLetters(queue: queue)
    }

    /// Moves the dead letters of `queue` (as ``deadLetters(queue:)`` lists them) back to the queue
    /// they came from, deliverable now, attempts starting again at 1, ids and timestamps kept.
    /// Returns how many moved; one in the hands of a dead-letter consumer right now stays.
    /// - Throws: ``QueuesError`` when the store fails; then nothing moved.
    @discardableResult
    public func replayDeadLetters(queue: String) async throws -> Int {
        let sources = Set(try await store.deadLetters(queue: queue).map(\.sourceQueue))
        let moved = try await store.replayDeadLetters(queue: queue, now: clock.nowMilliseconds())
        for source in sources { wake(queue: source) }
        return moved
    }
}
