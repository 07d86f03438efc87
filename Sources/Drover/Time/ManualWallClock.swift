import Foundation
import Synchronization

/// A clock that only moves when told to: the frozen clock of fixture replay and tests.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    /// Creates a clock frozen at `start`.
    public init(_ start: Date) {
        self.current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    /// Moves the clock forward by `duration` and returns at once: a wait under a frozen clock takes
    /// no real time, and everything that reads the clock afterwards (the handler, KV expiry, queue
    /// delays, later fixture steps) sees the later time. A zero or negative duration moves nothing.
    /// - Throws: `CancellationError` when the task is already cancelled; the clock does not move then.
    ///
    /// Inside ``withTimeLimit(_:_:)``, a wait that would end past the limit's deadline moves the
    /// clock to the deadline instead and throws `CancellationError`, as the timeout's cancellation
    /// would at that instant.
    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        let interval = Double(seconds) + Double(attoseconds) / 1e18
        if let deadline = Self.deadlines[ObjectIdentifier(self)] {
            let cut = current.withLock { now -> Bool in
                guard now.addingTimeInterval(interval) > deadline else { return false }
                now = max(now, deadline)
                return true
            }
            if cut { throw CancellationError() }
        }
        advance(by: interval)
    }

    /// Runs `operation` with a deadline `limit` from now that only its own waits on this clock can
    /// reach (see ``WallClock/withTimeLimit(_:_:)``): no race with a timer, so a frozen scenario
    /// times out the same way every run. An operation that waits for something other than the
    /// clock is waited for. Tasks the operation starts inherit the limit, as they inherit its
    /// task-local values.
    public func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        try Task.checkCancellation()
        guard limit > .zero else { return nil }
        let (seconds, attoseconds) = limit.components
        let deadline = now().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
        var deadlines = Self.deadlines
        let key = ObjectIdentifier(self)
        deadlines[key] = min(deadline, deadlines[key] ?? deadline)
        do {
            return try await Self.$deadlines.withValue(deadlines) { try await operation() }
        } catch is CancellationError where !Task.isCancelled && now() >= deadline {
            return nil
        }
    }

    /// The deadlines of the time limits the current task runs under, by clock.
    @TaskLocal private static var deadlines: [ObjectIdentifier: Date] = [:]

    /// Moves the clock forward (or backward, for a negative interval).
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
