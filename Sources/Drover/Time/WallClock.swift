import Foundation
import Synchronization

/// The source of "now" for everything that reads time: handlers, KV expiry, queue delays and
/// retries, cron, JWT checks.
///
/// `drover dev` uses ``SystemWallClock``; fixture replay and tests use ``ManualWallClock`` so a
/// scenario can freeze time and move it forward deterministically. Handlers read the clock through
/// ``Env/now`` instead of calling `Date()`.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

extension WallClock {
    /// Milliseconds since the Unix epoch, truncated.
    public func nowMilliseconds() -> Int64 {
        Int64((now().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Whole seconds since the Unix epoch, truncated.
    public func nowSeconds() -> Int64 {
        Int64(now().timeIntervalSince1970.rounded(.down))
    }
}

/// The real clock.
public struct SystemWallClock: WallClock {
    /// Creates the real clock.
    public init() {}

    public func now() -> Date { Date() }
}

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

    /// Moves the clock forward (or backward, for a negative interval).
    public func advance(by interval: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
