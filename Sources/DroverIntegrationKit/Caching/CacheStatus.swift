/// Where a ``CachedValue`` came from.
public enum CacheStatus: String, Sendable, Equatable {
    /// The cached copy, within its fresh period.
    case fresh
    /// The cached copy, past its fresh period but within its stale period: answered at once while
    /// a background fetch refreshes the cache (stale-while-revalidate, RFC 5861 §3).
    case stale
    /// Fetched now: there was no usable copy.
    case fetched
    /// The cached copy, past its stale period, answered because the fetch failed
    /// (stale-if-error, RFC 5861 §4); ``CachedValue/fetchError`` says why.
    case staleAfterError = "stale-after-error"
}
