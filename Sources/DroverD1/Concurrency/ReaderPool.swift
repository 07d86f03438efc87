import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A small pool of read connections: a reader is checked out for one statement and returned, so
/// reads run in parallel, each on its own connection's queue. When all are busy, callers wait in
/// order; a returned reader is handed to the first waiter after the lock is released.
final class ReaderPool: Sendable {
    private struct State {
        var idle: [ConnectionActor]
        var waiters: [CheckedContinuation<ConnectionActor, Never>] = []
    }

    /// Every reader, for closing.
    let all: [ConnectionActor]
    private let state: Mutex<State>

    init(readers: [ConnectionActor]) {
        self.all = readers
        self.state = Mutex(State(idle: readers))
    }

    /// An idle reader, waiting for one when all are busy.
    func acquire() async -> ConnectionActor {
        if let reader = state.withLock({ $0.idle.popLast() }) { return reader }
        return await withCheckedContinuation { continuation in
            let ready: ConnectionActor? = state.withLock { state in
                if let reader = state.idle.popLast() { return reader }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Gives `reader` back: to the first waiter, or to the idle list.
    /// Waits, blocking the calling thread, until no reader is leased, and keeps them all leased
    /// from then on: `close()` calls this so no read runs on a connection being closed. Reads in
    /// flight take microseconds; new ones are refused before this is called.
    func leaseAllForClosing() {
        while true {
            let done = state.withLock { state in
                guard state.idle.count == all.count else { return false }
                state.idle.removeAll()
                return true
            }
            if done { return }
            usleep(100)
        }
    }

    /// An idle reader, without waiting; `nil` when every reader is busy.
    func tryAcquire() -> ConnectionActor? {
        state.withLock { $0.idle.popLast() }
    }

    func release(_ reader: ConnectionActor) {
        let waiter: CheckedContinuation<ConnectionActor, Never>? = state.withLock { state in
            if state.waiters.isEmpty {
                state.idle.append(reader)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: reader)
    }
}
