import Drover
import DroverConfig
import Foundation

/// Fires a worker's cron triggers on the real clock in `drover dev` (UTC).
///
/// One task per expression runs its triggers one at a time: a run that overruns the next slot
/// makes that slot be skipped, and runs missed while the server was down are not replayed
/// (as on the platform, which never backfills).
package final class CronScheduler: Sendable {
    private let tasks: [Task<Void, Never>]

    /// Starts firing each of `crons` on `host`.
    package init(crons: [CronExpression], host: WorkerHost) {
        tasks = crons.map { cron in
            Task {
                var after = Date()
                while !Task.isCancelled {
                    guard let next = cron.nextDate(after: after) else { return }
                    let wait = next.timeIntervalSinceNow
                    if wait > 0 {
                        do {
                            try await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 1))
                        } catch {
                            return  // cancelled
                        }
                    }
                    _ = await host.scheduled(cron: cron.source, at: next)
                    // Skip slots that passed while the run was going on.
                    after = max(next, Date())
                }
            }
        }
    }

    /// Stops firing; a run in progress finishes.
    package func stop() {
        for task in tasks { task.cancel() }
    }
}
