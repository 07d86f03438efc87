import Dispatch
import Drover

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
    nonisolated let connection: SQLiteConnection

    /// Wraps `connection`, serving it on a new serial queue named `label`.
    init(connection: SQLiteConnection, label: String) {
        self.executor = DispatchQueueExecutor(label: label)
        self.connection = connection
    }

    nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Runs `body` with the connection on the connection's queue.
    func run<T: Sendable>(_ body: @Sendable (SQLiteConnection) throws(D1Error) -> T) throws(D1Error) -> T {
        try body(connection)
    }

    /// Runs `body` on the connection's queue, blocking the calling thread (set-up and close only).
    nonisolated func runSynchronously<T>(_ body: (SQLiteConnection) throws -> T) rethrows -> T {
        try executor.queue.sync { try body(connection) }
    }

    /// Schedules `body` on the connection's queue after `delay` seconds (idle WAL checkpoints).
    nonisolated func schedule(after delay: Double, _ body: @escaping @Sendable (SQLiteConnection) -> Void) {
        let connection = self.connection
        executor.queue.asyncAfter(deadline: .now() + delay) { body(connection) }
    }
}

/// A serial executor running jobs on a serial dispatch queue.
