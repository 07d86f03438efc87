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

/// A value with its metadata, as `getWithMetadata` returns it.
public struct KVEntry: Sendable, Equatable {
    /// The stored bytes.
    public var value: [UInt8]
    /// The metadata given to `put`, if any.
    public var metadata: JSONValue?
    /// The absolute expiration in seconds since the epoch, if any.
    public var expiration: Int64?

    /// An entry of `value`, with optional metadata and absolute expiration.
    public init(value: [UInt8], metadata: JSONValue? = nil, expiration: Int64? = nil) {
        self.value = value
        self.metadata = metadata
        self.expiration = expiration
    }

    /// The value as UTF-8 text.
    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// The type a bulk `get` decodes each value into: only `text` and `json` exist on the platform.
public struct KVBulkType: RawRepresentable, Sendable, Hashable {
    /// The type's name as user code spells it (`"text"`, `"json"`, or anything else, which `get` rejects).
    public var rawValue: String
    /// A type of this name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Values as UTF-8 text.
    public static let text = KVBulkType(rawValue: "text")
    /// Values parsed as JSON.
    public static let json = KVBulkType(rawValue: "json")
}

/// One value of a bulk `get`.
public enum KVBulkValue: Sendable, Equatable {
    case text(String)
    case json(JSONValue)
}

/// One entry of a bulk `getWithMetadata`: `{value, metadata}`, metadata `nil` (`null`) when `put`
/// stored none (workerd `src/workerd/api/tests/kv-test.js`, `getBulkTest`).
public struct KVBulkValueWithMetadata: Sendable, Equatable {
    /// The value, as text or JSON.
    public var value: KVBulkValue
    /// The metadata given to `put`, if any.
    public var metadata: JSONValue?

    /// An entry of `value` and `metadata`.
    public init(value: KVBulkValue, metadata: JSONValue? = nil) {
        self.value = value
        self.metadata = metadata
    }
}

/// Options of `put`. When both are given, `expirationTtl` wins.
///
/// The expirations can also be given unparsed, as a query string carries them
/// (``init(expirationText:expirationTtlText:metadata:)``): the namespace then validates the raw text
/// and answers a value that is not a positive integer with the platform's message naming it
/// (`Invalid expiration_ttl of abc. Please specify integer greater than 0.`). An unparsed value,
/// when present, takes the place of the integer one.
public struct KVPutOptions: Sendable, Equatable {
    /// Absolute expiration, seconds since the epoch; at least 60 s in the future.
    public var expiration: Int64?
    /// Expiration relative to now, in seconds; at least 60.
    public var expirationTtl: Int64?
    /// JSON metadata, at most 1024 bytes serialized.
    public var metadata: JSONValue?
    /// `expiration` as the caller wrote it, not yet parsed; wins over ``expiration``.
    public var expirationText: String?
    /// `expirationTtl` as the caller wrote it, not yet parsed; wins over ``expirationTtl``.
    public var expirationTtlText: String?

    /// Options with integer expirations.
    public init(expiration: Int64? = nil, expirationTtl: Int64? = nil, metadata: JSONValue? = nil) {
        self.expiration = expiration
        self.expirationTtl = expirationTtl
        self.metadata = metadata
    }

    /// Options with unparsed expirations (from a query string or a CLI flag), validated by `put`.
    public init(expirationText: String?, expirationTtlText: String?, metadata: JSONValue? = nil) {
        self.expirationText = expirationText
        self.expirationTtlText = expirationTtlText
        self.metadata = metadata
    }
}

/// Options of `list`.
public struct KVListOptions: Sendable, Equatable {
    /// Only keys starting with these bytes (literal; no wildcards).
    public var prefix: String?
    /// The most keys on a page, 1 to 1000 (default 1000).
    public var limit: Int?
    /// Where the previous page stopped.
    public var cursor: String?

    /// Options of one `list` call.
    public init(prefix: String? = nil, limit: Int? = nil, cursor: String? = nil) {
        self.prefix = prefix
        self.limit = limit
        self.cursor = cursor
    }
}

/// A page of `list`.
public struct KVListResult: Sendable, Equatable {
    /// One listed key.
    public struct Key: Sendable, Equatable {
        /// The key.
        public var name: String
        /// Absolute expiration, seconds since the epoch, if the key expires.
        public var expiration: Int64?
        /// The metadata given to `put`, if any.
        public var metadata: JSONValue?

        /// A listed key.
        public init(name: String, expiration: Int64? = nil, metadata: JSONValue? = nil) {
            self.name = name
            self.expiration = expiration
            self.metadata = metadata
        }
    }

    /// The keys of this page, in byte order of their UTF-8.
    public var keys: [Key]
    /// Whether this is the last page.
    public var listComplete: Bool
    /// Pass to the next `list` call; `nil` on the last page.
    public var cursor: String?

    /// A page of keys.
    public init(keys: [Key], listComplete: Bool, cursor: String?) {
        self.keys = keys
        self.listComplete = listComplete
        self.cursor = cursor
    }
}

/// A KV error with the platform's message, verbatim (`KV PUT failed: 413 Value length of ...`).
public struct KVError: BindingError, Equatable {
    /// The platform's message, verbatim.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }
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
