import Foundation

/// What `exec` returns.
public struct D1ExecResult: Sendable, Hashable {
    /// How many statements ran.
    public var count: Int
    /// Milliseconds they took.
    public var duration: Double

    /// Creates an `exec` result.
    public init(count: Int, duration: Double) {
        self.count = count
        self.duration = duration
    }
}
