import Drover

/// The limits of Workers KV and the platform's error messages for them, word for word: user code
/// matches on these strings.
///
/// Limits: Cloudflare docs, "Workers KV › Platform › Limits" (key 512 bytes, value 25 MiB,
/// metadata 1024 bytes, `cacheTtl` at least 30, `expirationTtl` at least 60, `list` at most 1000
/// keys, bulk `get` at most 100 keys). Messages: those the KV API answers with (`KV PUT failed: 413
/// ...`), as workerd surfaces them.
package enum KVLimits {
    /// The longest key, in UTF-8 bytes.
    package static let maximumKeyLength = 512
    /// The largest value, in bytes (25 MiB).
    package static let maximumValueLength = 26_214_400
    /// The largest metadata, in bytes of serialized JSON.
    package static let maximumMetadataLength = 1024
    /// The shortest `cacheTtl`, in seconds.
    package static let minimumCacheTtl = 30
    /// The shortest expiration, relative to now, in seconds.
    package static let minimumExpirationTtl: Int64 = 60
    /// The most keys a `list` page holds, and its default.
    package static let maximumListLimit = 1000
    /// The most keys a bulk `get` accepts.
    package static let maximumBulkKeys = 100

    /// Checks a key for `method` (`GET`, `PUT`, `DELETE`, `GET_BULK`).
    /// - Throws: ``KVError`` with the platform's message for an empty, `.`, `..` or over-long key.
    package static func checkKey(_ key: [UInt8], method: String) throws(KVError) {
        if key.isEmpty { throw KVError("Key name cannot be empty.") }
        if key == [0x2E] { throw KVError("\".\" is not allowed as a key name.") }
        if key == [0x2E, 0x2E] { throw KVError("\"..\" is not allowed as a key name.") }
        if key.count > maximumKeyLength {
            throw KVError(
                "KV \(method) failed: 414 UTF-8 encoded length of \(key.count) exceeds key length limit of \(maximumKeyLength)."
            )
        }
    }

    /// Checks a `cacheTtl` (`GET`).
    package static func checkCacheTtl(_ cacheTtl: Int?, method: String = "GET") throws(KVError) {
        guard let cacheTtl, cacheTtl < minimumCacheTtl else { return }
        throw KVError("KV \(method) failed: 400 Invalid cache_ttl of \(cacheTtl). Cache TTL must be at least 30.")
    }

    /// Checks a value's length (`PUT`).
    package static func checkValueLength(_ length: Int) throws(KVError) {
        guard length > maximumValueLength else { return }
        throw KVError("KV PUT failed: 413 Value length of \(length) exceeds limit of \(maximumValueLength).")
    }

    /// Serializes metadata and checks its length (`PUT`); `nil` gives no bytes.
    package static func metadataBytes(_ metadata: JSONValue?) throws(KVError) -> [UInt8] {
        guard let metadata else { return [] }
        let bytes = JSONSerializer.bytes(metadata)
        guard bytes.count <= maximumMetadataLength else {
            throw KVError("KV PUT failed: 413 Metadata length of \(bytes.count) exceeds limit of \(maximumMetadataLength).")
        }
        return bytes
    }

    /// The absolute expiration `options` ask for, in seconds since the epoch, or `nil` for none.
    ///
    /// When both are given the TTL wins and `expiration` is not looked at (Cloudflare docs, KV
    /// "Expiring keys": "If both are specified, expirationTtl is used"). Unparsed text, when given,
    /// takes the place of the integer.
    /// - Throws: ``KVError`` with the platform's 400 message.
    package static func expiration(of options: KVPutOptions, now: Int64) throws(KVError) -> Int64? {
        if let raw = options.expirationTtlText ?? options.expirationTtl.map({ String($0) }) {
            guard let ttl = positiveInteger(raw) else {
                throw KVError("KV PUT failed: 400 Invalid expiration_ttl of \(raw). Please specify integer greater than 0.")
            }
            guard ttl >= minimumExpirationTtl else {
                throw KVError("KV PUT failed: 400 Invalid expiration_ttl of \(raw). Expiration TTL must be at least 60.")
            }
            let (sum, overflow) = now.addingReportingOverflow(ttl)
            return overflow ? Int64.max : sum
        }
        if let raw = options.expirationText ?? options.expiration.map({ String($0) }) {
            guard let expiration = positiveInteger(raw), expiration > now else {
                throw KVError(
                    "KV PUT failed: 400 Invalid expiration of \(raw). Please specify integer greater than the current number of seconds since the UNIX epoch."
                )
            }
            guard expiration >= now + minimumExpirationTtl else {
                throw KVError(
                    "KV PUT failed: 400 Invalid expiration of \(raw). Expiration times must be at least 60 seconds in the future."
                )
            }
            return expiration
        }
        return nil
    }

    /// Checks a `list` limit and gives the page size (`nil` is 1000).
    package static func listLimit(_ limit: Int?) throws(KVError) -> Int {
        guard let limit else { return maximumListLimit }
        if limit > maximumListLimit {
            throw KVError(
                "KV GET failed: 400 Invalid key_count_limit of \(limit). Please specify an integer less than 1000."
            )
        }
        if limit < 1 {
            throw KVError(
                "KV GET failed: 400 Invalid key_count_limit of \(limit). Please specify an integer greater than 0."
            )
        }
        return limit
    }

    /// The most bytes of values a bulk `get` returns together (25 MiB; Miniflare's
    /// `KVLimits.MAX_BULK_SIZE_BYTES`).
    package static let maximumBulkBytes = 26_214_400

    /// Checks the shape of a bulk `get` as Miniflare does, in its order: the type (`text` or
    /// `json`), then at most 100 keys, then at least one (workers-sdk
    /// `packages/miniflare/src/workers/kv/namespace.worker.ts`, `POST /bulk/get`).
    package static func checkBulk(count: Int, type: KVBulkType) throws(KVError) {
        if type != .text && type != .json {
            throw KVError("KV GET_BULK failed: 400 \"\(type.rawValue)\" is not a valid type. Use \"json\" or \"text\"")
        }
        if count > maximumBulkKeys {
            throw KVError("KV GET_BULK failed: 400 You can request a maximum of \(maximumBulkKeys) keys")
        }
        if count < 1 { throw KVError("KV GET_BULK failed: 400 You must request a minimum of 1 key") }
    }

    /// What is wrong with one key of a bulk `get` (and its `cacheTtl`), or `nil`: the messages of
    /// Miniflare's `validateGetOptions` (`packages/miniflare/src/workers/kv/validator.worker.ts`),
    /// which the bulk request meets on the server, as workerd checks no bulk key itself.
    package static func bulkKeyError(_ key: [UInt8], cacheTtl: Int?) -> KVError? {
        if key.isEmpty { return KVError("KV GET_BULK failed: 400 Key names must not be empty") }
        if key == [0x2E] || key == [0x2E, 0x2E] {
            let name = key == [0x2E] ? "." : ".."
            return KVError("KV GET_BULK failed: 400 Illegal key name \"\(name)\". Please use a different name.")
        }
        if key.count > maximumKeyLength {
            return KVError(
                "KV GET_BULK failed: 414 UTF-8 encoded length of \(key.count) exceeds key length limit of \(maximumKeyLength)."
            )
        }
        do {
            try checkCacheTtl(cacheTtl, method: "GET_BULK")
        } catch {
            return error
        }
        return nil
    }

    /// The message of a bulk `get` as JSON that meets a value that is not JSON (Miniflare's
    /// `processKeyValue`: `non-${type}`, the type as user code spelled it).
    package static let bulkNotJSON = "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value"

    /// The message of a bulk `get` whose values are more than ``maximumBulkBytes`` together.
    package static let bulkTooLarge = "KV GET_BULK failed: 413 Total size of request exceeds the limit of 25MB"

    /// `raw` as a positive integer: ASCII digits only, no sign, no fraction, in range; else `nil`.
    private static func positiveInteger(_ raw: String) -> Int64? {
        let utf8 = raw.utf8
        guard !utf8.isEmpty, utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int64(raw), value > 0 else {
            return nil
        }
        return value
    }
}
