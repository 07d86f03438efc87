import Drover
import Synchronization

/// Runs the read-modify-write sequences of the kit's KV records (a bucket's level, an idempotency
/// lock) one at a time per key, within this process.
///
/// `KVNamespace` has no compare-and-swap: two requests that read a bucket at the same moment would
/// both spend the same token, and two that find no idempotency lock would both take it. Drover's
/// KV is strongly consistent within one process, so serializing the read and the write that
/// follows it makes these records exact locally. On the platform every isolate has its own memory
/// and KV is eventually consistent across locations, so there the records are best-effort; the
/// kit's documentation says so where it matters.
///
/// Only the short read-and-write runs under this serializer, never the caller's operation nor a
/// wait. Waiters are resumed in arrival order, each after the lock of the table is released.
final class KVKeySerializer: Sendable {
    /// The serializer every kit type shares, so that two values built per request (a bucket, an
    /// idempotency store) over the same namespace exclude each other.
    static let shared = KVKeySerializer()

    /// A key within one namespace. Namespaces that are class instances (every Drover store) are
    /// told apart by identity; keys of other namespaces are serialized by key alone, which is
    /// merely stricter.
    struct Slot: Hashable {
        let namespace: ObjectIdentifier?
        let key: String

        init(_ key: String, in kv: any KVNamespace) {
            self.namespace = type(of: kv) is AnyObject.Type ? ObjectIdentifier(kv as AnyObject) : nil
            self.key = key
        }
    }

    /// For each held slot, the callers waiting for it.
    private let waiting = Mutex<[Slot: [CheckedContinuation<Void, Never>]]>([:])

    /// Runs `body` while no other caller in this process runs one for `key` in `kv`.
    /// - Throws: what `body` throws; the slot is released either way.
    func withExclusiveAccess<T>(to key: String, in kv: any KVNamespace, _ body: () async throws -> T) async rethrows -> T {
        let slot = Slot(key, in: kv)
        await acquire(slot)
        defer { release(slot) }
        return try await body()
    }

    private func acquire(_ slot: Slot) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = waiting.withLock { table -> Bool in
                guard table[slot] != nil else {
                    table[slot] = []
                    return true
                }
                table[slot, default: []].append(continuation)
                return false
            }
            if free { continuation.resume() }
        }
    }

    private func release(_ slot: Slot) {
        let next = waiting.withLock { table -> CheckedContinuation<Void, Never>? in
            guard var queue = table[slot], !queue.isEmpty else {
                table[slot] = nil
                return nil
            }
            let first = queue.removeFirst()
            table[slot] = queue
            return first
        }
        next?.resume()
    }
}
