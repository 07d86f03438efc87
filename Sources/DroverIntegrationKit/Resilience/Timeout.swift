import Drover
import Foundation

/// Runs `operation` with a time limit measured on `clock`: the operation races a
/// `clock.sleep(for: limit)` in a task group, and whichever finishes first wins; the loser is
/// cancelled.
///
/// When the limit passes first, the operation is cancelled and this throws
/// ``ResilienceError/Code/timedOut``. Cancellation is cooperative, as everywhere in Swift: this
/// returns once the operation has noticed it (an outbound `fetch`, a KV call and `clock.sleep` all
/// do), so an operation that ignores cancellation delays the error until it ends — its result is
/// then discarded.
///
/// Time is the injected clock's (`env.clock`). A ``ManualWallClock`` moves forward by a whole
/// sleep and returns at once, so under it the timer's sleep ends at once in real time and the clock
/// then reads exactly `limit` later: an operation that waits for anything else (another task, I/O)
/// loses the race whenever the timer runs first. That makes a frozen clock right for testing the
/// timeout itself (an operation that waits until cancelled), and wrong for an operation that should
/// beat its limit: test that with a clock whose `sleep(for:)` waits until the test moves it.
///
/// ```swift
/// let response = try await withTimeout(.seconds(5), clock: env.clock, name: "erp") {
///     try await env.fetch.fetch(request)
/// }
/// ```
/// - Parameters:
///   - limit: the most time the operation may take; zero or negative times out without running it.
///   - clock: measures the limit (`env.clock`).
///   - name: names the operation in the error (``ResilienceError/policy``).
/// - Returns: what `operation` returned, when it finished first.
/// - Throws: ``ResilienceError/Code/timedOut`` when the limit passed first; the operation's own
///   error when it threw first; `CancellationError` when the calling task was cancelled.
public func withTimeout<T: Sendable>(
    _ limit: Duration,
    clock: any WallClock,
    name: String = "operation",
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard limit > .zero else { throw ResilienceError.timedOut(name, after: limit) }
    return try await withThrowingTaskGroup(of: TimeoutRace<T>.self) { group in
        group.addTask { .finished(try await operation()) }
        group.addTask {
            try await clock.sleep(for: limit)
            return .expired
        }
        // Returning (or throwing) cancels the loser; the group then waits for it to end.
        defer { group.cancelAll() }
        guard case .finished(let value)? = try await group.next() else {
            throw ResilienceError.timedOut(name, after: limit)
        }
        return value
    }
}

/// The two sides of ``withTimeout(_:clock:name:_:)``'s race.
private enum TimeoutRace<T: Sendable>: Sendable {
    case finished(T)
    case expired
}
