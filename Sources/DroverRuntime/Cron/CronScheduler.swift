import Drover
import DroverConfig
import Foundation

/// Fires a worker's cron triggers on the real clock in `drover dev` (UTC).
///
/// One task per expression runs its triggers one at a time: a run that overruns the next slot
/// makes that slot be skipped, and runs missed while the server was down are not replayed
/// (as on the platform, which never backfills).
package final class CronScheduler: Sendable {
    /// Waits for a duration; throws when cancelled (`Task.sleep(for:)` in `drover dev`).
    package typealias Sleep = @Sendable (Duration) async throws -> Void

    private let tasks: [Task<Void, Never>]

    /// Starts firing each of `crons` on `host`.
    /// - Parameters:
    ///   - clock: what "now" is; the real clock in `drover dev`, a manual one in tests.
    ///   - sleep: waits until the next slot is due; an error (cancellation) stops that expression.
    package init(
        crons: [CronExpression],
        host: WorkerHost,
        clock: any WallClock = SystemWallClock(),
        sleep: @escaping Sleep = { try await Task.sleep(for: $0) }
    ) {
        tasks = crons.map { cron in
            Task {
                var after = clock.now()
                while !Task.isCancelled {
                    guard let next = cron.nextDate(after: after) else { return }
                    let wait = next.timeIntervalSince(clock.now())
                    if wait > 0 {
                        do {
                            try await sleep(.milliseconds(Int64(wait * 1000) + 1))
                        } catch {
                            return  // cancelled
                        }
                    }
                    if Task.isCancelled { return }
                    _ = await host.scheduled(cron: cron.source, at: next)
                    // Skip slots that passed while the run was going on.
                    after = max(next, clock.now())
                }
            }
        }
    }

    /// Stops firing; a run in progress finishes.
    package func stop() {
        for task in tasks { task.cancel() }
    }

    /// Waits until every expression's task has ended (after ``stop()`` or when `sleep` throws).
    package func waitUntilStopped() async {
        for task in tasks { await task.value }
    }
}
