import Synchronization

/// Runs `work` in a task of its own and waits for it at most `limit`.
///
/// Used where the runtime must not wait for ever on code it does not control (a handler's
/// `waitUntil` work, a shutdown): past the limit the caller goes on and `work` is left running,
/// unawaited; cancel it through its own means. (A task group would not do: it awaits every child
/// before it returns, so a child stuck on work that never ends would hold it.)
/// - Returns: true when `work` finished within `limit`.
package func awaitAtMost(_ limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
    let outcome = Mutex<CheckedContinuation<Bool, Never>?>(nil)
    let finish: @Sendable (Bool) -> Void = { finished in
        outcome.withLock { continuation in
            continuation?.resume(returning: finished)
            continuation = nil
        }
    }
    var tasks: [Task<Void, Never>] = []
    let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        outcome.withLock { $0 = continuation }
        tasks.append(
            Task {
                await work()
                finish(true)
            }
        )
        tasks.append(
            Task {
                // Real time on purpose, not the injected clock: this bounds how long the runtime
                // waits on work it does not control (a shutdown grace period, the 30 s after a
                // response). Under replay's frozen clock the limit would never pass, and a hung
                // handler would hang the run.
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                finish(false)
            }
        )
    }
    tasks[1].cancel()  // the timer, when the work won
    return finished
}
