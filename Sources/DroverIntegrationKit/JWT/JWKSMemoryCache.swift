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
///
/// **Scoped to its KV namespace.** A copy is kept for the KV namespace object it was read from or
/// written to, and served only to a `JWKSCache` over that same object: a worker whose bindings are
/// opened afresh — a replayed fixture, a reloaded `drover dev`, another worker of the session —
/// starts from its own KV, never from a set another one cached. (A namespace that is a value
/// type, not an object, has no identity to match, and gets no memory copies.)
public final class JWKSMemoryCache: Sendable {
    /// A key set and when it was fetched from its URL, in milliseconds since the epoch.
    struct Entry: Sendable {
        let keySet: JSONWebKeySet
        let fetchedAt: Int64
    }

    /// An entry and the KV namespace it belongs to, held weakly: a namespace that is gone matches
    /// nothing, not even a new one allocated where it was.
    private struct Scoped: Sendable {
        let entry: Entry
        let namespace: NamespaceIdentity
    }

    private struct State {
        var entries: [String: Scoped] = [:]
        var fetching: Set<String> = []
    }

    private let state = Mutex(State())

    /// An empty cache.
    public init() {}

    /// The copy of the set fetched from `url` that belongs to `namespace`, if any.
    func entry(for url: String, in namespace: NamespaceIdentity) -> Entry? {
        state.withLock { state in
            guard let scoped = state.entries[url], scoped.namespace.isSame(as: namespace) else { return nil }
            return scoped.entry
        }
    }

    /// Remembers `entry` as the set of `url` in `namespace`, unless a copy of that namespace
    /// fetched later is already there.
    func store(_ entry: Entry, for url: String, in namespace: NamespaceIdentity) {
        state.withLock { state in
            if let current = state.entries[url], current.namespace.isSame(as: namespace), current.entry.fetchedAt > entry.fetchedAt {
                return
            }
            state.entries[url] = Scoped(entry: entry, namespace: namespace)
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
