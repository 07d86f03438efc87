import Foundation

/// What `all`, `run` and each `batch` member return.
public struct D1Result: Sendable, Hashable {
    /// Column names of the statement, in order (also when there are no rows).
    public var columns: [String]
    /// The rows.
    public var results: [D1Row]
    /// Always `true`: a failure throws instead.
    public var success: Bool
    /// Counters and timing.
    public var meta: D1Meta

    /// Creates a result.
    public init(columns: [String], results: [D1Row], success: Bool = true, meta: D1Meta) {
        self.columns = columns
        self.results = results
        self.success = success
        self.meta = meta
    }
}
