import Drover
import DroverConfig
import DroverRuntime
import Foundation
import Synchronization
import Testing

/// `CronScheduler` on a manual clock: its sleep advances the clock instead of waiting, so a
/// minute-long schedule runs in microseconds.
@Suite struct CronTests {
    final class Record: Sendable {
        let runs = Mutex<[Date]>([])
        let sleeps = Mutex<[Duration]>([])
        let running = Atomic<Int>(0)
        let overlapped = Atomic<Bool>(false)
    }

    /// A scheduler on `clock` whose sleep advances `clock`; it stops itself after `maxSleeps` sleeps.
    /// Each run advances the clock by `runTakes` seconds (a long-running handler).
    static func run(
        cron: String,
        start: Date,
        runTakes: TimeInterval = 0,
        maxSleeps: Int
    ) async throws -> Record {
        let clock = ManualWallClock(start)
        let record = Record()
        let worker = ClosureWorker(scheduled: { controller, _, _ in
            if record.running.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
                record.overlapped.store(true, ordering: .sequentiallyConsistent)
            }
            record.runs.withLock { $0.append(controller.scheduledTime) }
            clock.advance(by: runTakes)
            record.running.subtract(1, ordering: .sequentiallyConsistent)
        })
        let env = Env(fetch: RefusingFetcher(), clock: clock)
        let host = WorkerHost(
            workerName: "cron",
            worker: worker,
            env: env,
            logger: Logger(label: "test", sink: MemoryLogSink()),
            showsErrorDetails: true
        )
        let scheduler = CronScheduler(crons: [try CronExpression(cron)], host: host, clock: clock) { duration in
            let count = record.sleeps.withLock { sleeps in
                sleeps.append(duration)
                return sleeps.count
            }
            if count > maxSleeps { throw CancellationError() }
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            clock.advance(by: seconds)
        }
        await scheduler.waitUntilStopped()
        return record
    }

    static let start = Date(timeIntervalSince1970: 1_767_225_630)  // 2026-01-01T00:00:30Z

    @Test func firesOnEachMinuteAtTheScheduledTime() async throws {
        let record = try await Self.run(cron: "* * * * *", start: Self.start, maxSleeps: 3)
        let runs = record.runs.withLock { $0 }
        #expect(runs.map(\.timeIntervalSince1970) == [1_767_225_660, 1_767_225_720, 1_767_225_780])
        // The first wait is the 30 s to the next minute, not a backfill of the minute already begun.
        let first = try #require(record.sleeps.withLock { $0.first })
        #expect(first >= .seconds(30) && first < .seconds(31))
    }

    @Test func missedRunsAreNotReplayedAtStart() async throws {
        // Started mid-hour with an hourly trigger: the next run is at the next hour, none for this one.
        let record = try await Self.run(cron: "0 * * * *", start: Date(timeIntervalSince1970: 1_767_225_600 + 1_800), maxSleeps: 1)
        #expect(record.runs.withLock { $0.map(\.timeIntervalSince1970) } == [1_767_229_200])
    }

    @Test func aRunThatOverrunsTheNextSlotSkipsItAndRunsNeverOverlap() async throws {
        // Each run takes 150 s: of the slots :01, :02, :03, :04, :05 … only every third minute runs.
        let record = try await Self.run(cron: "* * * * *", start: Self.start, runTakes: 150, maxSleeps: 3)
        let runs = record.runs.withLock { $0.map(\.timeIntervalSince1970) }
        #expect(runs == [1_767_225_660, 1_767_225_840, 1_767_226_020])
        let overlapped = record.overlapped.load(ordering: .sequentiallyConsistent)
        #expect(!overlapped)
    }

    @Test func firesOnCloudflaresSundayForDayOfWeekOne() async throws {
        // 2026-01-01 is a Thursday; day-of-week 1 is Sunday on Cloudflare, so the first run is
        // Sunday 2026-01-04T17:00:00Z, not Monday the 5th.
        let record = try await Self.run(cron: "0 17 * * 1", start: Self.start, maxSleeps: 2)
        #expect(record.runs.withLock { $0.map(\.timeIntervalSince1970) } == [1_767_546_000, 1_768_150_800])
    }

    @Test func anExpressionThatNeverFiresEndsWithoutRunningOrSleeping() async throws {
        let record = try await Self.run(cron: "0 0 30 2 *", start: Self.start, maxSleeps: 1)
        #expect(record.runs.withLock { $0.isEmpty })
        #expect(record.sleeps.withLock { $0.isEmpty })
    }

    @Test func stopEndsTheScheduler() async throws {
        let clock = ManualWallClock(Self.start)
        let worker = ClosureWorker(scheduled: { _, _, _ in })
        let host = WorkerHost(
            workerName: "cron",
            worker: worker,
            env: Env(fetch: RefusingFetcher(), clock: clock),
            logger: Logger(label: "test", sink: MemoryLogSink()),
            showsErrorDetails: true
        )
        // The real sleep: a minute away, so only stop() can end it.
        let scheduler = CronScheduler(crons: [try CronExpression("* * * * *")], host: host, clock: clock)
        scheduler.stop()
        await scheduler.waitUntilStopped()
        #expect(host.metrics.render().contains("drover_scheduled_runs_total") && !host.metrics.render().contains("cron=\""))
    }
}
