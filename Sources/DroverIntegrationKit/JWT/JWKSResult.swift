import Foundation

/// A key set and where it came from, as a ``JWKSProvider`` answers.
public struct JWKSResult: Sendable {
    /// Where the set came from.
    public enum Source: Sendable, Hashable {
        /// A ``JSONWebKeySet`` given in code.
        case fixed
        /// A fresh copy in the in-process ``JWKSMemoryCache``.
        case memory
        /// A fresh copy in KV.
        case kv
        /// Fetched from the JWKS URL for this call.
        case fetched
        /// A copy in KV past its time to live, served because fetching failed just now or
        /// recently (``JWKSCache/Configuration/staleIfError``).
        case stale
    }

    /// The keys.
    public let keySet: JSONWebKeySet
    /// Where they came from.
    public let source: Source
    /// When the set was fetched from its URL; nil for a fixed set.
    public let fetchedAt: Date?
    /// Why the provider did not fetch, or did not get, a newer set though the one returned is
    /// stale or lacks the `kid` asked for: the fetch failure, or the rate limit of refetches. Nil
    /// when nothing was skipped or failed.
    public let note: String?

    /// A result of `keySet` from `source`.
    public init(keySet: JSONWebKeySet, source: Source, fetchedAt: Date? = nil, note: String? = nil) {
        self.keySet = keySet
        self.source = source
        self.fetchedAt = fetchedAt
        self.note = note
    }
}
