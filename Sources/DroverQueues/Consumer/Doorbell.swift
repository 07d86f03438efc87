import Synchronization

/// Wakes one consumer loop: rung on a send to its queue (in-process), when one of its batches
/// finishes, and at shutdown; a wait also ends after a timeout (the store poll interval).
///
/// A ring with no waiter is remembered, so a ring between a check and the wait is never lost.
/// Continuations are resumed only after the lock is released.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.rung = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when rung, or after `timeout`. One waiter at a time.
    func wait(timeout: Duration) async {
        if consumeRing() { return }
        let timer = Task { [self] in
            do {
                try await Task.sleep(for: timeout)
                ring()
            } catch {}
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.rung {
                    state.rung = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
    }

    private func consumeRing() -> Bool {
        state.withLock { state in
            defer { state.rung = false }
            return state.rung
        }
    }
}
