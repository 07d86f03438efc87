import Drover
import Synchronization

/// Fires the alarms of every Durable Object namespace of a worker.
///
/// The alarms live in each object's file and in the ``ObjectIndex``; this keeps the index's view
/// in memory. In `drover dev` a task waits on the clock for the earliest one (woken early when an
/// earlier one is set) and runs each due alarm in a task of its own; an alarm that fell due while
/// the server was down fires at start. Fixture replay runs due alarms in order, one at a time, with
/// ``fireDue()`` after each `advance` step.
final class AlarmScheduler: Sendable {
    private struct Key: Hashable, Sendable {
        var namespace: String
        var id: String
    }

    private struct State {
        var pending: [Key: Int64] = [:]
        var running: Set<Key> = []
        var namespaces: [String: ObjectNamespace] = [:]
        var wake: CheckedContinuation<Void, Never>?
        var woken = false
    }

    private let index: ObjectIndex
    private let clock: any WallClock
    private let logger: Logger
    private let state = Mutex(State())
    private let loop = Mutex<Task<Void, Never>?>(nil)

    init(index: ObjectIndex, clock: any WallClock, logger: Logger) {
        self.index = index
        self.clock = clock
        self.logger = logger
    }

    /// Adds a namespace whose alarms this fires, and reads them from the index.
    func register(_ namespace: ObjectNamespace) throws {
        let entries = try index.alarms().filter { $0.namespace == namespace.indexKey }
        state.withLock { state in
            state.namespaces[namespace.indexKey] = namespace
            for entry in entries { state.pending[Key(namespace: entry.namespace, id: entry.id)] = entry.alarm }
        }
    }

    /// Records the alarm of `id` in `namespace` (`nil`: deleted), in the index first.
    /// - Throws: when the index cannot be written; the object's file is then left as it was.
    func setAlarm(_ alarm: Int64?, namespace: String, id: String) throws {
        try index.setAlarm(alarm, namespace: namespace, id: id)
        let key = Key(namespace: namespace, id: id)
        state.withLock { $0.pending[key] = alarm }
        wake()
    }

    /// When the alarm of `id` in `namespace` is due, as far as the scheduler knows.
    func pendingAlarm(namespace: String, id: String) -> Int64? {
        state.withLock { $0.pending[Key(namespace: namespace, id: id)] }
    }

    /// How many alarms are pending.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    // MARK: - Firing

    /// Runs every alarm due now, earliest first, one at a time — and those they make due (a retry
    /// is due later, so a throwing alarm runs once per call). For replay and tests.
    /// - Returns: how many ran.
    @discardableResult
    func fireDue() async -> Int {
        var fired = 0
        // An alarm that keeps setting itself for now would never let this return.
        while fired < 10_000, let (key, namespace) = takeNextDue() {
            _ = await run(key, namespace)
            fired += 1
        }
        return fired
    }

    /// The earliest due alarm that is not running, marked running.
    private func takeNextDue() -> (Key, ObjectNamespace)? {
        let now = clock.nowMilliseconds()
        return state.withLock { state -> (Key, ObjectNamespace)? in
            let due = state.pending.filter { $0.value <= now && !state.running.contains($0.key) }
            guard let (key, _) = due.min(by: { ($0.value, $0.key.id) < ($1.value, $1.key.id) }) else { return nil }
            guard let namespace = state.namespaces[key.namespace] else {
                state.pending[key] = nil
                return nil
            }
            state.running.insert(key)
            return (key, namespace)
        }
    }

    private func run(_ key: Key, _ namespace: ObjectNamespace, now: Int64? = nil) async -> ObjectNamespace.AlarmOutcome {
        let outcome = await namespace.runAlarm(DurableObjectId(hex: key.id), now: now ?? clock.nowMilliseconds())
        state.withLock { state in
            state.running.remove(key)
            // The file keeps the alarm of an object that could not be built; here it waits for its
            // next try instead of spinning.
            if case .unavailable(let retryAt) = outcome { state.pending[key] = retryAt }
        }
        // Not due after all (deleted, or moved in a rolled-back transaction): the file's word goes
        // to the index and the schedule.
        if case .notDue(let stored) = outcome { try? setAlarm(stored, namespace: key.namespace, id: key.id) }
        return outcome
    }

    /// Runs the alarm of `id` in `namespace` now, whenever it is due (the dashboard's "run now"),
    /// unless it is running already.
    /// - Returns: what running it came to; `nil` when it was running already.
    func runNow(namespace: ObjectNamespace, id: String, scheduled: Int64) async -> ObjectNamespace.AlarmOutcome? {
        let key = Key(namespace: namespace.indexKey, id: id)
        let free = state.withLock { state -> Bool in
            guard !state.running.contains(key) else { return false }
            state.running.insert(key)
            return true
        }
        guard free else { return nil }
        return await run(key, namespace, now: max(scheduled, clock.nowMilliseconds()))
    }

    // MARK: - The real clock

    /// At most this many alarms run at once in the background: after a long stop, thousands may be
    /// due, and each opens its object.
    static let concurrentRuns = 16

    /// Starts firing alarms on the clock, in the background.
    func start() {
        let task = Task { [self] in
            while !Task.isCancelled {
                while state.withLock({ $0.running.count }) < Self.concurrentRuns, let (key, namespace) = takeNextDue() {
                    Task { [self] in
                        _ = await run(key, namespace)
                        wake()
                    }
                }
                await waitForNext()
            }
        }
        loop.withLock { $0 = task }
    }

    /// Stops the background firing; alarms already running finish.
    func stop() async {
        let task = loop.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        wake()
        await task?.value
    }

    /// Wakes the loop's wait, or — when it is not waiting — makes its next wait return at once.
    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.wake {
                state.wake = nil
                return waiter
            }
            state.woken = true
            return nil
        }
        waiter?.resume()
    }

    /// Waits until the earliest pending alarm is due by the clock (at most a minute of real time),
    /// or an alarm is set.
    private func waitForNext() async {
        let now = clock.nowMilliseconds()
        let next = state.withLock { state in
            state.pending.filter { !state.running.contains($0.key) }.values.min()
        }
        let wait = max(1, min(60_000, (next ?? now + 60_000) - now))
        await withTaskGroup(of: Void.self) { group in
            // Real time, as the cron scheduler waits: the clock is read for what is due, never
            // moved (a frozen clock's sleep would move it, and a test's time with it).
            group.addTask { try? await Task.sleep(for: .milliseconds(wait)) }
            group.addTask { [self] in await waitForWake() }
            await group.next()
            // Ends the other child: a cancelled wait for a wake resumes itself (see waitForWake).
            group.cancelAll()
        }
    }

    private func waitForWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.woken || Task.isCancelled {
                        state.woken = false
                        return true
                    }
                    state.wake = continuation
                    return false
                }
                // Cancelled after the check above: onCancel's wake() has resumed it, or will.
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
    }
}
