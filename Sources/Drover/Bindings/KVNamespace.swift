/// A Workers KV namespace: a key-value store with expiring keys and per-key metadata.
///
/// The requirements are the primitive operations; `get` in its text, JSON, bytes and stream forms
/// and `put` of text or JSON are extensions on top. Errors are ``KVError``s whose messages are the
/// platform's, verbatim.
public protocol KVNamespace: Sendable {
    /// The value and metadata of `key`, or `nil` when it is absent or expired.
    /// - Parameter cacheTtl: accepted for compatibility (at least 30); a local store has no edge cache.
    func getWithMetadata(_ key: String, cacheTtl: Int?) async throws -> KVEntry?

    /// Up to 100 keys at once (`get([keys], type)`, `get([keys], {type, cacheTtl})`): each key maps
    /// to its value as text or JSON, or to `nil` when absent.
    ///
    /// Errors as Miniflare's bulk get answers them (workers-sdk
    /// `packages/miniflare/src/workers/kv/namespace.worker.ts`, `POST /bulk/get`), with workerd's
    /// `KV GET_BULK failed: <status> ` prefix (`src/workerd/api/kv.c++`): a type other than `text`
    /// and `json`, more than 100 or no keys, an invalid key or `cacheTtl`, a value that is not JSON
    /// when `json` is asked (`... 400 At least one of the requested keys corresponds to a non-json
    /// value`), and values of more than 25 MiB together (`... 413 Total size of request exceeds the
    /// limit of 25MB`).
    /// - Parameter cacheTtl: checked as `get`'s (at least 30); a local store has no edge cache.
    func get(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValue?]

    /// Up to 100 keys at once with their metadata (`getWithMetadata([keys], type)`): each key maps to
    /// its value and metadata, or to `nil` when absent. Limits and errors as the bulk ``get(_:type:cacheTtl:)``.
    func getWithMetadata(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValueWithMetadata?]

    /// Stores `value` under `key`, replacing what was there.
    func put(_ key: String, value: [UInt8], options: KVPutOptions) async throws

    /// Removes `key`; removing an absent key is not an error.
    func delete(_ key: String) async throws

    /// Keys in byte order of their UTF-8, a page at a time.
    func list(_ options: KVListOptions) async throws -> KVListResult
}

extension KVNamespace {
    /// The value of `key` as text (`get(key)` / `get(key, "text")`).
    public func get(_ key: String, cacheTtl: Int? = nil) async throws -> String? {
        try await getWithMetadata(key, cacheTtl: cacheTtl)?.text
    }

    /// The value of `key` parsed as JSON (`get(key, "json")`).
    public func getJSON(_ key: String, cacheTtl: Int? = nil) async throws -> JSONValue? {
        guard let entry = try await getWithMetadata(key, cacheTtl: cacheTtl) else { return nil }
        return try JSONParser.parse(entry.value)
    }

    /// The value of `key` as bytes (`get(key, "arrayBuffer")`).
    public func getBytes(_ key: String, cacheTtl: Int? = nil) async throws -> [UInt8]? {
        try await getWithMetadata(key, cacheTtl: cacheTtl)?.value
    }

    /// The value of `key` as a stream (`get(key, "stream")`), with its length known.
    public func getStream(_ key: String, cacheTtl: Int? = nil) async throws -> Body? {
        guard let entry = try await getWithMetadata(key, cacheTtl: cacheTtl) else { return nil }
        let bytes = entry.value
        let (stream, continuation) = Body.Stream.makeStream()
        let chunkSize = 64 * 1024
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            continuation.yield(Array(bytes[start..<end]))
            start = end
        }
        continuation.finish()
        return Body(stream: stream, length: bytes.count)
    }

    /// The value and metadata of `key`.
    public func getWithMetadata(_ key: String) async throws -> KVEntry? {
        try await getWithMetadata(key, cacheTtl: nil)
    }

    /// Up to 100 keys at once, as text unless `type` says `json` (`get([keys], type)`).
    public func get(_ keys: [String], type: KVBulkType = .text) async throws -> [String: KVBulkValue?] {
        try await get(keys, type: type, cacheTtl: nil)
    }

    /// Up to 100 keys at once with their metadata (`getWithMetadata([keys], type)`).
    public func getWithMetadata(_ keys: [String], type: KVBulkType = .text) async throws -> [String: KVBulkValueWithMetadata?] {
        try await getWithMetadata(keys, type: type, cacheTtl: nil)
    }

    /// Stores text.
    public func put(_ key: String, _ value: String, options: KVPutOptions = KVPutOptions()) async throws {
        try await put(key, value: Array(value.utf8), options: options)
    }

    /// Stores JSON text.
    public func put(_ key: String, json value: JSONValue, options: KVPutOptions = KVPutOptions()) async throws {
        try await put(key, value: JSONSerializer.bytes(value), options: options)
    }

    /// Stores a body read to its end (`put` of a `ReadableStream`).
    public func put(_ key: String, body: Body, options: KVPutOptions = KVPutOptions()) async throws {
        try await put(key, value: try await body.bytes(), options: options)
    }

    /// The first page of keys.
    public func list(prefix: String? = nil, limit: Int? = nil, cursor: String? = nil) async throws -> KVListResult {
        try await list(KVListOptions(prefix: prefix, limit: limit, cursor: cursor))
    }
}
