import Dispatch

/// A serial executor backed by one dispatch queue: an actor using it runs its blocking calls
/// (SQLite) on that queue's thread, never on Swift's cooperative pool (GRDB's `DispatchQueueActor`).
/// Shared by the bindings that own database connections (D1, Queues); not part of the handler API.
package final class DispatchQueueExecutor: SerialExecutor {
    /// The queue jobs run on; also usable directly for `sync` and `asyncAfter` work on the same thread.
    package let queue: DispatchQueue

    /// An executor on a new serial queue named `label`.
    package init(label: String) {
        queue = DispatchQueue(label: label)
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    package func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}

// Safe: the only stored property is a `DispatchQueue`, itself thread-safe; Linux's Dispatch does not
// mark it `Sendable`.
extension DispatchQueueExecutor: @unchecked Sendable {}
