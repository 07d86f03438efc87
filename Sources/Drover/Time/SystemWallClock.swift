import Foundation
import Synchronization

/// The real clock.
public struct SystemWallClock: WallClock {
    /// Creates the real clock.
    public init() {}

    public func now() -> Date { Date() }

    /// Sleeps for real (on the continuous clock); a cancelled task wakes at once with
    /// `CancellationError`.
    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
