import Dispatch
import Drover
import Synchronization

/// One SQLite connection behind its own serial executor: a private serial `DispatchQueue`, so the
/// blocking C calls never run on Swift's cooperative pool (GRDB's `DispatchQueueActor` idea,
/// GRDB 7.10.0 `GRDB/Core/DispatchQueueActor.swift`).
///
/// Every use of ``connection`` happens on that queue: through ``run(_:)`` (an actor-isolated call,
/// so the job is enqueued on the queue and the caller's continuation resumes on the global pool once
/// the work is done) or through ``runSynchronously(_:)`` (`queue.sync`, for set-up and close).
actor ConnectionActor {
    private let executor: DispatchQueueExecutor
    /// The connection; touched only on ``executor``'s queue.
    nonisolated let connection: D1Connection
    /// Whether a ``scheduleOnce(after:_:)`` body is waiting.
    private nonisolated let scheduled = ScheduledFlag()

    /// Wraps `connection`, serving it on a new serial queue named `label`.
    init(connection: D1Connection, label: String) {
        self.executor = DispatchQueueExecutor(label: label)
        self.connection = connection
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Runs `body` with the connection on the connection's queue.
    /// - Throws: ``D1Error`` `D1_ERROR: database is closed` once the database is closing (a call
    ///   that passed the database's own check just before ``SQLiteD1Database/close()``, or queued
    ///   behind a statement that close interrupted).
    func run<T: Sendable>(_ body: @Sendable (D1Connection) throws(D1Error) -> T) throws(D1Error) -> T {
        guard !connection.isClosing, !connection.isClosed else { throw D1Error.closed }
        return try body(connection)
    }

    /// Runs `body` on the connection's queue, blocking the calling thread (set-up and close only).
    nonisolated func runSynchronously<T>(_ body: (D1Connection) throws -> T) rethrows -> T {
        try executor.queue.sync { try body(connection) }
    }

    /// Schedules `body` on the connection's queue after `delay` seconds, unless a `body` scheduled
    /// so is still waiting: one run per burst of calls (idle WAL checkpoints).
    nonisolated func scheduleOnce(after delay: Double, _ body: @escaping @Sendable (D1Connection) -> Void) {
        guard !scheduled.set() else { return }
        executor.queue.asyncAfter(deadline: .now() + delay) { [connection, scheduled] in
            scheduled.clear()
            body(connection)
        }
    }
}

/// A flag shared with a scheduled closure (a class, so the closure holds it and not the actor).
private final class ScheduledFlag: Sendable {
    private let value = Atomic<Bool>(false)
    /// Sets the flag; returns whether it was already set.
    func set() -> Bool { value.exchange(true, ordering: .acquiringAndReleasing) }
    func clear() { value.store(false, ordering: .releasing) }
}
