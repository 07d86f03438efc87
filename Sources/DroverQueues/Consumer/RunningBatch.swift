import Synchronization

/// A batch in a handler's hands, and the one decision of how its delivery ends.
///
/// Three things may end it, and the first wins: the handler returning (``Ending/handled(thrown:)``),
/// the lease deadline passing (``Ending/expired``) or shutdown's grace period running out
/// (``Ending/cutOff``). Whoever wins owns the batch's rows in the store: the handler's outcome is
/// settled only when it won; a handler that returns after losing is ignored.
///
/// Continuations are resumed only after the lock is released.
final class RunningBatch: Sendable {
    /// How a batch's delivery ended.
    enum Ending: Sendable, Equatable {
        /// The handler returned; `threw` when it threw. Its decisions are settled.
        case handled(thrown: String?)
        /// The lease deadline passed first: every message counts as a failed attempt.
        case expired
        /// Shutdown's grace period ran out first: the leases are released.
        case cutOff
    }

    private struct State {
        var ending: Ending?
        var waiter: CheckedContinuation<Ending, Never>?
    }

    /// The batch's messages, token and deadline.
    let lease: QueueLease
    private let state = Mutex(State())

    init(lease: QueueLease) {
        self.lease = lease
    }

    /// Ends the batch with `ending` unless it has ended already.
    /// - Returns: the ending that stands: `ending` when this call decided, the earlier one otherwise.
    @discardableResult
    func end(_ ending: Ending) -> Ending {
        let (standing, waiter) = state.withLock { state -> (Ending, CheckedContinuation<Ending, Never>?) in
            if let earlier = state.ending { return (earlier, nil) }
            state.ending = ending
            defer { state.waiter = nil }
            return (ending, state.waiter)
        }
        waiter?.resume(returning: standing)
        return standing
    }

    /// Returns how the batch ended, once it has. One waiter.
    func ending() async -> Ending {
        await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
            let now = state.withLock { state -> Ending? in
                if let ending = state.ending { return ending }
                state.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
