import Foundation

/// A value ``CacheAside`` answered, and how fresh it is.
public struct CachedValue<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Whether it was fresh, stale, just fetched, or stale because the fetch failed.
    public var status: CacheStatus
    /// When it was fetched (by the injected clock).
    public var fetchedAt: Date
    /// The fetch's error, for ``CacheStatus/staleAfterError``.
    public var fetchError: (any Error)?

    /// A value with its status.
    public init(value: Value, status: CacheStatus, fetchedAt: Date, fetchError: (any Error)? = nil) {
        self.value = value
        self.status = status
        self.fetchedAt = fetchedAt
        self.fetchError = fetchError
    }
}
