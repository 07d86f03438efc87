import Drover
import Synchronization

/// The cache keys being refreshed in the background by this process, so that many requests
/// hitting one stale entry start one fetch, not one each.
///
/// Process memory only, and only to avoid duplicate work: the entry itself lives in KV. Keys are
/// told apart per namespace as ``KVKeySerializer`` does.
final class RevalidationsInFlight: Sendable {
    /// The set every ``CacheAside`` shares (each is built per request).
    static let shared = RevalidationsInFlight()

    private let keys = Mutex<Set<KVKeySerializer.Slot>>([])

    /// Marks `key` in `kv` as being refreshed; `false` when it already is.
    func begin(_ key: String, in kv: any KVNamespace) -> Bool {
        let slot = KVKeySerializer.Slot(key, in: kv)
        return keys.withLock { $0.insert(slot).inserted }
    }

    /// Marks `key` in `kv` as no longer being refreshed.
    func end(_ key: String, in kv: any KVNamespace) {
        let slot = KVKeySerializer.Slot(key, in: kv)
        _ = keys.withLock { $0.remove(slot) }
    }
}
