import Drover
import Foundation

extension FileKVNamespace {
    /// One listed key, with its raw bytes.
    package struct RawListedKey: Sendable {
        /// The key's bytes.
        package var bytes: [UInt8]
        var key: KVKey { KVKey(bytes) }
        /// Seconds since the epoch, if the key expires.
        package var expiration: Int64?
        /// The key's metadata.
        package var metadata: JSONValue?
    }

    /// A page of `list` over raw bytes: keys in byte order, and the cursor of the next page (`nil` when complete).
    package struct RawListPage: Sendable {
        /// The keys of the page.
        package var keys: [RawListedKey]
        /// Where the next page starts, or `nil` on the last page.
        package var cursor: String?
    }

    /// `list` with a prefix given as bytes.
    ///
    /// The prefix is literal; the cursor names the last key of the previous page and the next page
    /// starts after it ("start after"). A page that reaches the end carries no cursor.
    /// - Throws: ``KVError`` for a limit outside 1...1000 or a malformed cursor.
    package func list(rawPrefix prefix: [UInt8], limit: Int?, cursor: String?) throws -> RawListPage {
        let pageSize = try KVLimits.listLimit(limit)
        var after: [UInt8]? = nil
        if let cursor, !cursor.isEmpty {
            guard let data = Data(base64Encoded: cursor) else {
                throw KVError("KV GET failed: 400 Invalid cursor \(cursor). Use the cursor of a previous list.")
            }
            after = Array(data)
        }
        let now = clock.nowSeconds()
        return try state.withLock { state in
            try self.syncForRead(&state, now: now)
            state.log!.index.prepareSorted()
            var position = state.log!.index.lowerBound(prefix)
            if let after, KVKey.compare(after, prefix) >= 0 {
                position = state.log!.index.upperBound(after)
            }
            var keys: [RawListedKey] = []
            var more = false
            while position < state.log!.index.sortedCount {
                let key = state.log!.index.sortedKey(at: position)
                position += 1
                guard key.hasPrefix(prefix) else { break }
                guard let entry = state.log!.index[key], !entry.isExpired(at: now) else { continue }
                if keys.count == pageSize {
                    more = true
                    break
                }
                keys.append(
                    RawListedKey(
                        bytes: key.bytes,
                        expiration: entry.expiration == 0 ? nil : entry.expiration,
                        metadata: entry.metadata
                    )
                )
            }
            let next = more ? Data(keys[keys.count - 1].bytes).base64EncodedString() : nil
            return RawListPage(keys: keys, cursor: next)
        }
    }
}
