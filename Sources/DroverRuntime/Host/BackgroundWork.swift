import Drover
import Synchronization

/// Tracks tasks that outlive the call that started them — a request's `ctx.waitUntil` work, a
/// recorded fixture still being written — so shutdown and replay can await them all.
package final class BackgroundWork: Sendable {
    private struct State {
        var nextID = 0
        var tasks: [Int: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// Runs `work` in a tracked task.
    /// - Returns: that task, for a caller that must await this one piece of work.
    @discardableResult
    package func run(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let task = Task { [weak self] in
                await work()
                self?.finish(id)
            }
            state.tasks[id] = task
            return task
        }
    }

    /// Awaits `context`'s `waitUntil` work in a tracked task, for at most `limit`; past it the work
    /// is cancelled and `timedOut` is called.
    @discardableResult
    package func track(
        _ context: ExecutionContext,
        atMost limit: Duration,
        timedOut: @escaping @Sendable () -> Void
    ) -> Task<Void, Never> {
        run {
            if await !context.waitForBackgroundWork(atMost: limit) { timedOut() }
        }
    }

    private func finish(_ id: Int) {
        _ = state.withLock { $0.tasks.removeValue(forKey: id) }
    }

    /// Waits until every tracked piece of work, including work started meanwhile, has finished.
    package func waitForAll() async {
        while true {
            let tasks = state.withLock { Array($0.tasks.values) }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }

    /// ``waitForAll()`` for at most `limit`.
    /// - Returns: true when everything finished within `limit`; false leaves the rest running.
    package func waitForAll(atMost limit: Duration) async -> Bool {
        await awaitAtMost(limit) { await self.waitForAll() }
    }

    /// How many pieces of work are still running.
    package var count: Int { state.withLock { $0.tasks.count } }
}
