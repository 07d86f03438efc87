import Drover

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileKVNamespace {
    /// Up to 100 keys at once, as text or JSON; absent keys map to `nil`.
    /// - Throws: ``KVError`` with the `GET_BULK` messages (see ``KVNamespace/get(_:type:cacheTtl:)``);
    ///   ``KVStoreError`` when reading fails.
    package func get(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValue?] {
        var result: [String: KVBulkValue?] = [:]
        for item in try bulkRead(keys, type: type, cacheTtl: cacheTtl) {
            result[item.key] = .some(item.found?.value)
        }
        return result
    }

    /// Up to 100 keys at once with their metadata; absent keys map to `nil`.
    /// - Throws: as the bulk ``get(_:type:cacheTtl:)``.
    package func getWithMetadata(
        _ keys: [String],
        type: KVBulkType,
        cacheTtl: Int?
    ) async throws -> [String: KVBulkValueWithMetadata?] {
        var result: [String: KVBulkValueWithMetadata?] = [:]
        for item in try bulkRead(keys, type: type, cacheTtl: cacheTtl) {
            result[item.key] = .some(item.found.map { KVBulkValueWithMetadata(value: $0.value, metadata: $0.metadata) })
        }
        return result
    }

    /// The keys of a bulk `get`, in order, each with its decoded value and metadata (`nil` when
    /// absent), checked as Miniflare's `POST /bulk/get` checks them (workers-sdk
    /// `packages/miniflare/src/workers/kv/namespace.worker.ts`): the type and the number of keys
    /// first; then key by key, its name and `cacheTtl`, its value, and (for `json`) whether the value
    /// parses, so the first key at fault decides the error; the total size last.
    ///
    /// The total is Miniflare's: the length of each value decoded as text, in UTF-16 code units
    /// (JavaScript's `string.length`), which is its byte length for ASCII.
    private func bulkRead(
        _ keys: [String],
        type: KVBulkType,
        cacheTtl: Int?
    ) throws -> [(key: String, found: (value: KVBulkValue, metadata: JSONValue?)?)] {
        try KVLimits.checkBulk(count: keys.count, type: type)
        let rawKeys = keys.map { Array($0.utf8) }
        var keyError: KVError?
        var readable = rawKeys.count
        for (index, key) in rawKeys.enumerated() {
            if let error = KVLimits.bulkKeyError(key, cacheTtl: cacheTtl) {
                (keyError, readable) = (error, index)
                break
            }
        }
        let now = clock.nowSeconds()
        let entries: [Found?] = try state.withLock { state in
            try self.syncForRead(&state, now: now)
            return try rawKeys.prefix(readable).map { try self.readLocked(&state, KVKey($0), now: now, allowDeferred: true) }
        }
        var items: [(key: String, found: (value: KVBulkValue, metadata: JSONValue?)?)] = []
        items.reserveCapacity(readable)
        var totalLength = 0
        for (key, entry) in zip(keys, entries) {
            guard let entry else {
                items.append((key, nil))
                continue
            }
            var bytes = entry.value
            if let (file, offset, length) = entry.deferred {
                // Too large for the cache: read off the lock, as a single `get` does.
                bytes = try file.read(at: offset, count: length)
                guard bytes.count == length else { throw KVStoreError.io("pread", path: file.path, errno: EIO) }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            totalLength += text.utf16.count
            let value: KVBulkValue
            if type == .json {
                guard let json = try? JSONParser.parse(bytes) else { throw KVError(KVLimits.bulkNotJSON) }
                value = .json(json)
            } else {
                value = .text(text)
            }
            items.append((key, (value, entry.metadata)))
        }
        if let keyError { throw keyError }
        if totalLength > KVLimits.maximumBulkBytes { throw KVError(KVLimits.bulkTooLarge) }
        return items
    }
}
