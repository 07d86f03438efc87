import Drover
import Synchronization

/// An in-process copy of the key sets ``JWKSCache`` reads from KV, in front of it: a token then
/// costs no KV read and no key parsing while the copy is fresh.
///
/// Optional. The JWKS, its fetch time and the refetch rate limit live in KV, so any number of
/// processes (or a process without this cache) agree; this only remembers, per JWKS URL, the last
/// set read or fetched, for no longer than the `JWKSCache`'s time to live. It also lets one fetch
/// per URL run at a time in the process: the requests that arrive meanwhile use the copy they have
/// instead of fetching too.
///
/// Make one per worker and keep it for the life of the process (a `static let`), passing it to the
/// `JWKSCache` made for each request.
public final class JWKSMemoryCache: Sendable {
    /// A key set and when it was fetched from its URL, in milliseconds since the epoch.
    struct Entry: Sendable {
        let keySet: JSONWebKeySet
        let fetchedAt: Int64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var fetching: Set<String> = []
    }

    private let state = Mutex(State())

    /// An empty cache.
    public init() {}

    /// The copy of the set fetched from `url`, if any.
    func entry(for url: String) -> Entry? {
        state.withLock { $0.entries[url] }
    }

    /// Remembers `entry` as the set of `url`, unless a copy fetched later is already there.
    func store(_ entry: Entry, for url: String) {
        state.withLock { state in
            if let current = state.entries[url], current.fetchedAt > entry.fetchedAt { return }
            state.entries[url] = entry
        }
    }

    /// Claims the right to fetch `url`: false when another task of the process holds it.
    func beginFetch(_ url: String) -> Bool {
        state.withLock { $0.fetching.insert(url).inserted }
    }

    /// Gives back the claim of ``beginFetch(_:)``.
    func endFetch(_ url: String) {
        _ = state.withLock { $0.fetching.remove(url) }
    }
}
