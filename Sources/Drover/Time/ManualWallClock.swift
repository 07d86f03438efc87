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
    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        advance(by: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Moves the clock forward (or backward, for a negative interval).
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
