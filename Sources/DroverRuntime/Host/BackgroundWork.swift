import Synchronization

/// Tracks work that outlives its request (`ctx.waitUntil`), so shutdown and replay can await it.
package final class BackgroundWork: Sendable {
    private struct State {
        var nextID = 0
        var tasks: [Int: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// Awaits `context`'s background work in a tracked task.
    /// - Returns: that task, for a caller that must await this one request's work (recording).
    @discardableResult
    package func track(_ context: ExecutionContext) -> Task<Void, Never> {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let task = Task { [weak self] in
                await context.waitForBackgroundWork()
                self?.finish(id)
            }
            state.tasks[id] = task
            return task
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

    /// How many requests still have background work.
    package var count: Int { state.withLock { $0.tasks.count } }
}

import Drover
