import Drover

extension FileKVNamespace {
    /// Writes every entry of a bulk file (`kv bulk put`), after checking them all: one invalid
    /// entry fails the whole batch with the platform's message and nothing is written.
    /// - Throws: ``KVError`` for an invalid entry; ``KVStoreError`` when writing fails.
    package func bulkPut(_ entries: [KVBulkEntry]) throws {
        try put(batch: entries.map { (Array($0.key.utf8), $0.value, $0.options) })
    }

    /// Deletes every key of a bulk file (`kv bulk delete`), after checking them all.
    /// - Throws: ``KVError`` for an invalid key (nothing is deleted); ``KVStoreError`` when writing fails.
    package func bulkDelete(_ keys: [String]) throws {
        let rawKeys = keys.map { Array($0.utf8) }
        for key in rawKeys { try KVLimits.checkKey(key, method: "DELETE") }
        for key in rawKeys { try delete(rawKey: key) }
    }

    /// The value of each key as text, `nil` when absent (`kv bulk get`): one `get` per key, as
    /// wrangler's local mode reads them, so any number of keys and no bulk size limit.
    /// - Throws: ``KVError`` for an invalid key (before anything is read); ``KVStoreError`` when reading fails.
    package func bulkGetText(_ keys: [String]) throws -> [(key: String, value: String?)] {
        let rawKeys = keys.map { Array($0.utf8) }
        for key in rawKeys { try KVLimits.checkKey(key, method: "GET") }
        return try zip(keys, rawKeys).map { key, rawKey in (key, try getWithMetadata(rawKey: rawKey)?.text) }
    }

    /// Every key under `prefix`, all pages (`kv key list`).
    package func listAll(prefix: String? = nil) throws -> [KVListResult.Key] {
        var keys: [KVListResult.Key] = []
        var cursor: String? = nil
        repeat {
            let page = try list(rawPrefix: Array((prefix ?? "").utf8), limit: nil, cursor: cursor)
            keys += page.keys.map { KVListResult.Key(name: $0.key.text, expiration: $0.expiration, metadata: $0.metadata) }
            cursor = page.cursor
        } while cursor != nil
        return keys
    }
}
