import Foundation
import Synchronization

/// The source of "now" for everything that reads time: handlers, KV expiry, queue delays and
/// retries, cron, JWT checks, log records — and the one way a handler waits.
///
/// `drover dev` uses ``SystemWallClock``; fixture replay and tests use ``ManualWallClock`` so a
/// scenario can freeze time and move it forward deterministically. Handlers read the clock through
/// ``Env/now`` (or `env.clock.now()`) instead of calling `Date()`, and wait with
/// ``sleep(for:)`` instead of `Task.sleep`.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date

    /// Waits for `duration`: the platform's `scheduler.wait(ms)`
    /// (https://developers.cloudflare.com/workers/runtime-apis/scheduler/), for a backoff between
    /// retries or a deliberate pause.
    ///
    /// ``SystemWallClock`` waits for real; ``ManualWallClock`` moves itself forward by `duration`
    /// and returns at once, so a handler that backs off for 30 seconds runs in microseconds under
    /// replay and tests, and what it reads from the clock afterwards is 30 seconds later. A zero or
    /// negative duration returns at once.
    /// - Throws: `CancellationError` when the task is cancelled, before or during the wait (an
    ///   AbortSignal's `AbortError` on the platform).
    func sleep(for duration: Duration) async throws

    /// Runs `operation` until it returns or `limit` passes on this clock, whichever comes first:
    /// the time limit behind a timeout policy.
    ///
    /// A clock that follows real time races `operation` against ``sleep(for:)`` in a task group
    /// and cancels the loser; cancellation is cooperative, so this returns once `operation` has
    /// noticed (an outbound `fetch`, a KV call and `clock.sleep` all do).
    ///
    /// ``ManualWallClock`` runs `operation` alone and lets only its own waits on the clock pass the
    /// limit: a ``sleep(for:)`` that would end past the deadline moves the clock to the deadline and
    /// throws `CancellationError` there, and the limit is reported as passed. Under a frozen clock an
    /// operation takes exactly the time it waits on the clock, so whether it beats its limit is
    /// decided by the scenario, never by which task the scheduler ran first.
    /// - Returns: what `operation` returned; `nil` when the limit passed first (or was not positive:
    ///   `operation` then does not run).
    /// - Throws: what `operation` threw before the limit; `CancellationError` when the calling task
    ///   is cancelled.
    func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T?
}

extension WallClock {
    /// Waits for real: the behaviour of a clock that follows real time. (A clock that does not,
    /// like ``ManualWallClock``, implements its own.)
    public func sleep(for duration: Duration) async throws {
        try await SystemWallClock().sleep(for: duration)
    }

    /// Races `operation` against ``sleep(for:)``: the behaviour of a clock that follows real time.
    public func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        try Task.checkCancellation()
        guard limit > .zero else { return nil }
        return try await withThrowingTaskGroup(of: TimeLimitRace<T>.self) { group in
            group.addTask { .finished(try await operation()) }
            group.addTask {
                try await sleep(for: limit)
                return .expired
            }
            // Returning (or throwing) cancels the loser; the group then waits for it to end.
            defer { group.cancelAll() }
            guard case .finished(let value)? = try await group.next() else {
                try Task.checkCancellation()
                return nil
            }
            return value
        }
    }

    /// Waits until the clock reads `deadline` or later; returns at once (after checking
    /// cancellation) when it already does. See ``sleep(for:)``.
    public func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSince(now())
        guard interval > 0 else {
            try Task.checkCancellation()
            return
        }
        // Rounded up to the microsecond, so the clock reads the deadline or later afterwards.
        try await sleep(for: .microseconds(Int64((interval * 1_000_000).rounded(.up))))
    }

    /// Milliseconds since the Unix epoch, truncated.
    public func nowMilliseconds() -> Int64 {
        Int64((now().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Whole seconds since the Unix epoch, truncated.
    public func nowSeconds() -> Int64 {
        Int64(now().timeIntervalSince1970.rounded(.down))
    }
}

/// The two sides of ``WallClock/withTimeLimit(_:_:)``'s race.
private enum TimeLimitRace<T: Sendable>: Sendable {
    case finished(T)
    case expired
}
