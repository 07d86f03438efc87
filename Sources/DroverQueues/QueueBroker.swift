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
/// ## Delivery guarantees
///
/// Delivery is at least once; without a crash, a deadline or a shutdown cut-off, each message is
/// delivered and settled exactly once. Each broker is one *instance* of the store, with a random
/// 128-bit id (see ``QueueInstance``); a delivered batch is leased in that instance's name under a
/// fresh token and until a deadline, ``visibilityTimeout`` after delivery (15 minutes by default).
/// A batch's outcome is applied only to rows that still hold its token, so a batch whose lease was
/// taken over can never acknowledge or retry the message's next delivery.
/// - **Crash** (kill -9, a fatal error; or a broker released without ``shutdown(gracePeriod:)``
///   while it held leases): the gone instance's lock file is no longer locked (or is removed), so
///   the next consumer start on the directory (``startConsumers(_:deliver:)`` or
///   ``drain(_:queues:deliver:)``), or the next poll of a running consumer of the same queue,
///   releases its leases at once, whatever process ids are alive: the messages are delivered
///   again, the interrupted delivery counted in `attempts`. Messages the handler had acknowledged
///   but whose batch was not yet settled are delivered again too. (A power loss may also roll back
///   the last committed transactions, see ``QueueStore``.)
/// - **Deadline**: a batch still in its handler when its lease deadline passes (the handler hangs,
///   or its process is alive but stuck) is given up: its messages count as one failed attempt and
///   are retried (after `retry_delay`) or dead-lettered / dropped by the consumer's rules, as if the
///   handler had thrown; whatever the handler decides later is ignored. The platform ends a queue
///   consumer invocation after 15 minutes of wall-clock time
///   (https://developers.cloudflare.com/queues/platform/limits/), hence the default. Any consumer
///   of the queue, in any process, applies this when it polls; the deadline is read on the
///   injected clock, so fixture replay moves it with `advance`.
/// - **Shutdown**: ``shutdown(gracePeriod:)`` stops handing out batches at once and waits for the
///   running ones up to the grace period; those still running are cut off: their leases are
///   released (the delivery counted in `attempts`, but never dead-lettering by itself), they are
///   delivered again on the next start, and a warning names the queue and the count.
package final class QueueBroker: Sendable {
    /// The most characters of a handler's error kept as a message's last failure.
    package static let maximumFailureLength = 2_000

    /// What the runtime does with one batch; returns whether the handler threw, and what.
    package typealias Deliver = @Sendable (MessageBatch) async -> QueueHandlerOutcome

    /// How often an idle consumer looks at the store for messages it was not told about, for
    /// leases whose deadline passed or whose instance is gone; also how often a running batch
    /// checks its own deadline.
    package static let pollInterval: Duration = .milliseconds(100)

    /// The lease of a delivered batch: the platform's 15-minute wall-clock limit of a queue
    /// consumer invocation (https://developers.cloudflare.com/queues/platform/limits/).
    package static let defaultVisibilityTimeout: Duration = .seconds(15 * 60)

    /// How long ``shutdown(gracePeriod:)`` waits for running batches by default: the dev server's
    /// own default grace period.
    package static let defaultShutdownGracePeriod: Duration = .seconds(10)

    let store: QueueStore
    let clock: any WallClock
    let logger: Logger
    /// Where each batch's trace ids come from.
    let traceIDs: TraceIDGenerator
    /// How long a delivered batch's lease lasts, on ``clock``.
    package let visibilityTimeout: Duration
    let visibilityTimeoutMilliseconds: Int64
    private let doorbells = Mutex<[String: [Doorbell]]>([:])
    private let consumers = Mutex<[Task<Void, Never>]>([])
    private let stopped = Atomic<Bool>(false)
    private let running = Mutex(RunningBatches())

    /// The batches of this broker in a handler's hands, by lease token.
    private struct RunningBatches {
        var batches: [Int64: RunningBatch] = [:]
        /// Set when shutdown has cut off the running batches: none starts after.
        var cutOff = false
    }

    /// Opens (creating when absent) the store in `directory`, normally `<state>/queues`, as a new
    /// instance (a file in `directory/instances/`, locked while the broker lives).
    /// - Parameters:
    ///   - clock: "now" for message timestamps, delays, retries and lease deadlines (a
    ///     `ManualWallClock` in replay and tests).
    ///   - logger: receives `QUEUE <name> <acked>/<total> (<ms>ms)` per batch, dead-letter notes,
    ///     and warnings for batches given up at their deadline or cut off by shutdown.
    ///   - visibilityTimeout: how long a delivered batch may stay in its handler before it is given
    ///     up and counted as a failed attempt (see the type's delivery guarantees); more than zero.
    ///   - traceIDs: where the ids of each batch's own trace come from (a seeded generator in
    ///     replay and tests, so they repeat from run to run).
    /// - Throws: ``QueuesError`` when the directory or database cannot be opened (a store of a
    ///   previous format is migrated in place first), or when `visibilityTimeout` is not positive.
    package init(
        directory: String,
        clock: any WallClock,
        logger: Logger,
        visibilityTimeout: Duration = QueueBroker.defaultVisibilityTimeout,
        traceIDs: TraceIDGenerator = .random
    ) throws {
        let milliseconds = visibilityTimeout.components.seconds * 1000
            + visibilityTimeout.components.attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else {
            throw QueuesError.invalidSettings("queue visibility timeout must be at least 1 ms, got \(visibilityTimeout)")
        }
        self.store = try QueueStore(directory: directory)
        self.clock = clock
        self.logger = logger
        self.visibilityTimeout = visibilityTimeout
        self.visibilityTimeoutMilliseconds = milliseconds
        self.traceIDs = traceIDs
    }

    /// The `Queue` binding for `queue`.
    /// - Parameter deliveryDelay: the producer's `delivery_delay` in seconds, used when a send names
    ///   no delay.
    package func producer(queue: String, deliveryDelay: Int? = nil) -> QueueProducer {
        QueueProducer(queue: queue, deliveryDelay: deliveryDelay, broker: self)
    }

    // MARK: Real-time dispatch

    /// Starts one dispatch loop per consumer; they run until ``shutdown(gracePeriod:)``. Messages
    /// left in flight by an instance that is gone (a crashed process) are released first, so they
    /// are delivered again.
    /// - Throws: ``QueuesError`` for invalid settings or a store failure; nothing is started then.
    package func startConsumers(_ settings: [QueueConsumerSettings], deliver: @escaping Deliver) async throws {
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

    /// Stops the dispatch loops: no batch is handed out from now on; running batches get up to
    /// `gracePeriod` (real time) to finish and be settled. Batches still running then are cut off:
    /// their leases are released, so their messages are delivered again on the next start (the
    /// cut-off delivery counts in `attempts`, but does not dead-letter by itself), a warning names
    /// each queue and how many messages were cut off, and whatever their handlers do later is
    /// ignored (their tasks are cancelled). Returns when every loop has stopped and the leases of
    /// cut-off batches are released.
    ///
    /// Final: consumers do not start again on this broker (open a new one).
    /// - Parameter gracePeriod: how long to wait for running batches; zero cuts them off at once.
    package func shutdown(gracePeriod: Duration = QueueBroker.defaultShutdownGracePeriod) async {
        stopped.store(true, ordering: .sequentiallyConsistent)
        let bells = doorbells.withLock { $0.values.flatMap { $0 } }
        for bell in bells { bell.ring() }
        let tasks = consumers.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        guard !tasks.isEmpty else { return }
        let cutOff = Task { [self] in
            guard (try? await Task.sleep(for: gracePeriod)) != nil else { return }
            await cutOffRunningBatches(gracePeriod: gracePeriod)
        }
        for task in tasks { await task.value }
        cutOff.cancel()
        await cutOff.value
    }

    /// Ends every running batch that has not ended yet as cut off, releases its leases and logs
    /// one warning per queue.
    private func cutOffRunningBatches(gracePeriod: Duration) async {
        let batches = running.withLock { state -> [RunningBatch] in
            state.cutOff = true
            return Array(state.batches.values)
        }
        var cut: [String: Int] = [:]
        for batch in batches where batch.end(.cutOff) == .cutOff {
            let lease = batch.lease
            cut[lease.queue, default: 0] += lease.messages.count
            do {
                try await store.release(token: lease.token, lease.messages.map(\.seq))
            } catch {
                // The leases stay with this instance; they are released when it is gone.
                logger.error("queue \(lease.queue): releasing a batch cut off by shutdown failed: \(error)")
            }
        }
        for (queue, count) in cut.sorted(by: { $0.key < $1.key }) {
            let plural = count == 1 ? "" : "s"
            logger.warning(
                "Shutdown cut off \(count) message\(plural) on queue \"\(queue)\" still in the handler after the "
                    + "\(gracePeriod) grace period; they will be delivered again on the next start"
            )
        }
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
    /// the `drainQueues` step of a fixture (Docs/fixtures.md).
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
    /// Leases are handled as in real time (see the type's delivery guarantees): leases of an
    /// instance that is gone are released first, and leases whose deadline has passed on the
    /// clock, whoever holds them, count as a failed attempt before each round. A lease held by a
    /// live instance before its deadline is left alone: its messages are not deliverable here.
    ///
    /// - Parameters:
    ///   - consumers: every consumer of the configuration; a dead-letter queue is drained too when it
    ///     has a consumer here and is selected.
    ///   - queues: the queue names to drain; `nil` for every consumer.
    /// - Throws: ``QueuesError`` for invalid settings or a store failure.
    package func drain(
        _ consumers: [QueueConsumerSettings],
        queues: [String]? = nil,
        deliver: @escaping Deliver
    ) async throws {
        try QueueConsumerSettings.validate(consumers)
        try await store.releaseAbandonedLeases()
        let selected = consumers.filter { queues?.contains($0.queue) ?? true }
        let manual = clock as? ManualWallClock
        while true {
            var deliveredAny = false
            for consumer in selected {
                try await reclaimExpiredLeases(consumer)
                while true {
                    let now = clock.nowMilliseconds()
                    let lease = try await store.lease(
                        queue: consumer.queue,
                        now: now,
                        deadline: now + visibilityTimeoutMilliseconds,
                        limit: consumer.maxBatchSize
                    )
                    if lease.messages.isEmpty { break }
                    deliveredAny = true
                    try await process(lease, settings: consumer, deliver: deliver)
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

    // MARK: Leases

    /// Gives up the expired leases of `settings.queue` held by other instances, or by batches of
    /// this broker no longer running (a batch still running here is given up by its own deadline
    /// watch): each message counts as a failed attempt and is retried, dead-lettered or dropped by
    /// the consumer's rules. Leases of an instance that is gone are released first (not counted as
    /// a failure).
    /// - Throws: ``QueuesError`` when the store fails.
    func reclaimExpiredLeases(_ settings: QueueConsumerSettings) async throws {
        let released = try await store.releaseAbandonedLeases(queue: settings.queue)
        if released > 0 {
            logger.info("Released \(released) message\(released == 1 ? "" : "s") on queue \"\(settings.queue)\" left in flight by a consumer that is gone")
        }
        let now = clock.nowMilliseconds()
        let expired = try await store.expiredLeases(queue: settings.queue, now: now)
        guard !expired.isEmpty else { return }
        let local = running.withLock { Set($0.batches.keys) }
        for lease in expired where !local.contains(lease.token) {
            let fates = lease.messages.map { message in
                (
                    seq: message.seq,
                    fate: fate(id: message.id, attempts: message.deliveries, .retry(delaySeconds: nil), settings: settings, now: now)
                )
            }
            // Also ends a stale lease row whose messages were all settled or taken over meanwhile.
            let settled = try await store.settle(queue: settings.queue, token: lease.token, fates, now: now)
            guard settled > 0 else { continue }
            logLeaseExpired(queue: settings.queue, count: settled)
            wakeDeadLetterQueue(of: settings, fates)
        }
    }

    private func logLeaseExpired(queue: String, count: Int) {
        let plural = count == 1 ? "" : "s"
        logger.warning(
            "Queue \"\(queue)\": \(count) message\(plural) still unsettled at the lease deadline "
                + "(visibility timeout \(visibilityTimeout)); counted as a failed attempt"
        )
    }

    private func register(_ batch: RunningBatch) -> Bool {
        running.withLock { state in
            guard !state.cutOff else { return false }
            state.batches[batch.lease.token] = batch
            return true
        }
    }

    private func unregister(_ batch: RunningBatch) {
        _ = running.withLock { $0.batches.removeValue(forKey: batch.lease.token) }
    }

    /// Ends `batch` as expired once the clock reaches its lease deadline; checked every
    /// ``pollInterval`` until cancelled.
    private func watchDeadline(of batch: RunningBatch) async {
        while (try? await Task.sleep(for: Self.pollInterval)) != nil {
            if clock.nowMilliseconds() >= batch.lease.deadlineMilliseconds {
                batch.end(.expired)
                return
            }
        }
    }

    // MARK: One batch

    /// Hands `lease` to `deliver` as one batch and settles each message by the batch's decisions.
    ///
    /// The handler runs in its own task, so the batch can be given up without its cooperation: at
    /// its lease deadline (its messages count as a failed attempt) or when shutdown cuts it off
    /// (its leases are released there). A given-up handler's task is cancelled and its outcome
    /// ignored.
    ///
    /// The batch gets a trace of its own (``Drover/ExecutionContext/trace`` in the handler), under
    /// which the handler and this batch's log lines run; each message carries the trace it was
    /// sent under (``Drover/Message/trace``).
    /// - Throws: ``QueuesError`` when settling fails; the leases are released then.
    func process(_ lease: QueueLease, settings: QueueConsumerSettings, deliver: @escaping Deliver) async throws {
        let seqs = lease.messages.map(\.seq)
        let running = RunningBatch(lease: lease)
        guard register(running) else {
            // Shutdown has already cut off the running batches: this one never reaches a handler.
            try await store.release(token: lease.token, seqs, undoDelivery: true)
            return
        }
        defer { unregister(running) }
        let trace = TraceContext.start(using: traceIDs)
        try await TraceContext.$current.withValue(trace) {
            try await handle(running, trace: trace, settings: settings, deliver: deliver)
        }
    }

    /// ``process(_:settings:deliver:)`` once the batch is registered, under its trace.
    private func handle(
        _ running: RunningBatch,
        trace: TraceContext,
        settings: QueueConsumerSettings,
        deliver: @escaping Deliver
    ) async throws {
        let lease = running.lease
        let contents = lease.messages.map { leased in
            Message.Content(
                id: leased.message.id,
                timestamp: Date(timeIntervalSince1970: Double(leased.message.timestampMilliseconds) / 1000),
                body: leased.message.body,
                attempts: leased.deliveries,
                trace: leased.message.traceparent.flatMap { TraceContext(traceparent: $0) }
            )
        }
        let batch = MessageBatch(queue: settings.queue, messages: contents, trace: trace)
        let started = ContinuousClock.now
        let handler = Task {
            let outcome = await deliver(batch)
            running.end(.handled(thrown: outcome.thrown))
        }
        let watch = Task { await watchDeadline(of: running) }
        let ending = await running.ending()
        watch.cancel()
        let now = clock.nowMilliseconds()
        let thrown: String?
        switch ending {
        case .handled(let error):
            thrown = error
        case .cutOff:
            handler.cancel()
            return
        case .expired:
            handler.cancel()
            let fates = lease.messages.map { leased in
                (
                    seq: leased.seq,
                    fate: fate(id: leased.message.id, attempts: leased.deliveries, .retry(delaySeconds: nil), settings: settings, now: now)
                )
            }
            let settled = try await settle(
                settings: settings, token: lease.token, fates, now: now, failure: "its batch ran past the lease deadline (the handler did not return)")
            if settled > 0 { logLeaseExpired(queue: settings.queue, count: settled) }
            return
        }
        let elapsed = ContinuousClock.now - started
        let decisions = batch.ledger.outcome(handlerThrew: thrown != nil)
        var fates: [(seq: Int64, fate: MessageFate)] = []
        fates.reserveCapacity(lease.messages.count)
        var acked = 0
        for (message, decision) in zip(lease.messages, decisions) {
            fates.append((message.seq, fate(id: message.message.id, attempts: message.deliveries, decision, settings: settings, now: now)))
            if decision == .ack { acked += 1 }
        }
        let failure = thrown.map { "the queue handler threw: \(String($0.prefix(QueueBroker.maximumFailureLength)))" } ?? "the consumer retried it"
        let settled = try await settle(settings: settings, token: lease.token, fates, now: now, failure: failure)
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        logger.info("QUEUE \(settings.queue) \(acked)/\(lease.messages.count) (\(milliseconds)ms)")
        if settled < fates.count {
            logger.warning(
                "Queue \"\(settings.queue)\": \(fates.count - settled) message(s) of this batch had been given up at their "
                    + "lease deadline by another consumer; this outcome does not apply to them"
            )
        }
    }

    /// Settles `fates` under `token`; on failure releases the leases (nothing was settled: one
    /// transaction) so the messages are delivered again rather than held until their deadline.
    @discardableResult
    private func settle(
        settings: QueueConsumerSettings,
        token: Int64,
        _ fates: [(seq: Int64, fate: MessageFate)],
        now: Int64,
        failure: String? = nil
    ) async throws -> Int {
        let settled: Int
        do {
            settled = try await store.settle(queue: settings.queue, token: token, fates, now: now, failure: failure)
        } catch {
            _ = try? await store.release(token: token, fates.map(\.seq))
            throw error
        }
        wakeDeadLetterQueue(of: settings, fates)
        return settled
    }

    private func wakeDeadLetterQueue(of settings: QueueConsumerSettings, _ fates: [(seq: Int64, fate: MessageFate)]) {
        if let deadLetterQueue = settings.deadLetterQueue, fates.contains(where: { $0.fate == .deadLetter(to: deadLetterQueue) }) {
            wake(queue: deadLetterQueue)
        }
    }

    /// The fate of one message given its decision. A retried message is delivered again while it
    /// has had at most `max_retries` + 1 deliveries; the failure of the last one dead-letters or
    /// drops it (see ``QueueConsumerSettings``).
    private func fate(
        id: String,
        attempts: Int,
        _ decision: MessageDecision,
        settings: QueueConsumerSettings,
        now: Int64
    ) -> MessageFate {
        guard case .retry(let requested) = decision else { return .acknowledge }
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
        logger.warning(
            "Dropped message \"\(id)\" on queue \"\(settings.queue)\" after \(attempts) failed attempt\(plural)! It had no retries left "
                + "(max_retries = \(settings.maxRetries)) and the queue has no dead-letter queue to keep it: set dead_letter_queue "
                + "(or raise max_retries) under the [[queues.consumers]] entry for \"\(settings.queue)\" to keep such messages.")
        return .drop
    }

    // MARK: Inspecting (the CLI, fixtures)

    /// Counts per queue, sorted by name: every queue with stored messages or dead-letter/drop
    /// counters, plus each of `names` (zeros when it has nothing). Safe while a dev server runs on
    /// the same directory in another process.
    /// - Throws: ``QueuesError`` when the store fails.
    package func stats(including names: [String] = []) async throws -> [QueueStats] {
        var all = try await store.stats(now: clock.nowMilliseconds())
        for name in names where all[name] == nil { all[name] = QueueStats(queue: name) }
        return all.values.sorted { $0.queue < $1.queue }
    }

    /// The counts of one queue (zeros when it has nothing).
    /// - Throws: ``QueuesError`` when the store fails.
    package func stats(queue: String) async throws -> QueueStats {
        try await store.stats(now: clock.nowMilliseconds())[queue] ?? QueueStats(queue: queue)
    }

    /// The dead letters that `queue` sent to its dead-letter queue and that are still there, oldest
    /// first; when `queue` is itself a dead-letter queue, the dead letters it holds.
    /// - Throws: ``QueuesError`` when the store fails.
    package func deadLetters(queue: String) async throws -> [DeadLetter] {
        try await store.deadLetters(queue: queue)
    }

    /// Moves the dead letters of `queue` (as ``deadLetters(queue:)`` lists them) back to the queue
    /// they came from, deliverable now, attempts starting again at 1, ids and timestamps kept.
    /// Returns how many moved; one in the hands of a dead-letter consumer right now stays.
    /// - Throws: ``QueuesError`` when the store fails; then nothing moved.
    @discardableResult
    package func replayDeadLetters(queue: String) async throws -> Int {
        let sources = Set(try await store.deadLetters(queue: queue).map(\.sourceQueue))
        let moved = try await store.replayDeadLetters(queue: queue, now: clock.nowMilliseconds())
        for source in sources { wake(queue: source) }
        return moved
    }

    // MARK: The dashboard's operations

    /// Up to `limit` messages of `queue`, in delivery order, read without leasing them.
    /// - Throws: ``QueuesError`` when the store fails.
    package func messages(queue: String, limit: Int = 100) async throws -> [QueuedMessage] {
        try await store.messages(queue: queue, limit: limit)
    }

    /// Deletes every message of `queue`; returns how many.
    /// - Throws: ``QueuesError`` when the store fails; then nothing was deleted.
    @discardableResult
    package func purge(queue: String) async throws -> Int {
        try await store.purge(queue: queue)
    }

    /// Deletes the message `id` of `queue` (acknowledges it without delivering it), unless a
    /// consumer holds it: whether one was deleted.
    /// - Throws: ``QueuesError`` when the store fails.
    package func deleteMessage(queue: String, id: String) async throws -> Bool {
        try await store.delete(queue: queue, id: id)
    }

    /// Moves the one dead letter `id` of `queue` (as ``deadLetters(queue:)`` lists them) back to
    /// the queue it came from, deliverable now, attempts starting again at 1, with `body` in place
    /// of its own when given. Returns that queue, or nil when there is no such dead letter or a
    /// dead-letter consumer holds it.
    /// - Throws: ``QueuesError`` when the store fails; then nothing moved.
    package func replayDeadLetter(queue: String, id: String, body: (MessageBody, QueueContentType)? = nil) async throws -> String? {
        let source = try await store.replayDeadLetter(queue: queue, id: id, body: body, now: clock.nowMilliseconds())
        if let source { wake(queue: source) }
        return source
    }

    /// Pauses or resumes the delivery of `queue`; sending goes on. Kept in the store, so a paused
    /// queue stays paused across restarts and for every process on the state directory.
    /// - Throws: ``QueuesError`` when the store fails.
    package func setPaused(_ paused: Bool, queue: String) async throws {
        try await store.setPaused(paused, queue: queue)
        if !paused { wake(queue: queue) }
    }

    /// The queues whose delivery is paused.
    /// - Throws: ``QueuesError`` when the store fails.
    package func pausedQueues() async throws -> Set<String> {
        try await store.pausedQueues()
    }
}

/// How a queue handler's run ended, as the broker needs it: whether it threw, and what — kept with
/// the messages it retries as their last failure, which the dashboard shows.
package struct QueueHandlerOutcome: Sendable, Equatable, ExpressibleByBooleanLiteral {
    /// What the handler threw, as text with no secret in it; nil when it did not throw.
    package var thrown: String?

    package init(thrown: String?) {
        self.thrown = thrown
    }

    /// `true`: it threw, saying nothing more; `false`: it did not throw.
    package init(booleanLiteral threw: Bool) {
        thrown = threw ? "an error it did not describe" : nil
    }
}
