import Drover
import Foundation

/// Runs `operation` with a time limit measured on `clock` (``WallClock/withTimeLimit(_:_:)``):
/// when the limit passes first, the operation is cancelled and this throws
/// ``ResilienceError/Code/timedOut``.
///
/// Cancellation is cooperative, as everywhere in Swift: this returns once the operation has
/// noticed it (an outbound `fetch`, a KV call and `clock.sleep` all do), so an operation that
/// ignores cancellation delays the error until it ends — its result is then discarded.
///
/// Time is the injected clock's (`env.clock`). On `drover dev`'s real clock the operation races a
/// timer. Under the frozen clock of replay and tests (``ManualWallClock``) only the operation's own
/// waits on the clock count: a recorded upstream that answers at once beats any limit, and one that
/// takes 8 s on the clock loses a 5 s limit, at exactly 5 s — the same outcome every run.
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
    guard let value = try await clock.withTimeLimit(limit, operation) else {
        throw ResilienceError.timedOut(name, after: limit)
    }
    return value
}
