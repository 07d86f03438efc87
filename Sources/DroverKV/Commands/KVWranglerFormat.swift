import Drover

/// Output and flag parsing of the `drover kv` commands, as wrangler's local mode prints and reads them.
public enum KVWranglerFormat {
    /// `kv key list` output: `JSON.stringify(keys, null, 2)` of `[{"name", "expiration"?, "metadata"?}]`.
    public static func listJSON(_ keys: [KVListResult.Key]) -> String {
        let array = JSONValue.array(
            keys.map { key in
                var object = JSONObject()
                object["name"] = .string(key.name)
                if let expiration = key.expiration { object["expiration"] = .integer(expiration) }
                if let metadata = key.metadata { object["metadata"] = metadata }
                return .object(object)
            }
        )
        return JSONSerializer.prettyString(array, indent: 2)
    }

    /// The `put` options of `kv key put` flags: `--ttl`, `--expiration` (kept unparsed, validated by
    /// `put` with the platform's messages) and `--metadata` (JSON text).
    /// - Throws: ``KVStoreError`` when `--metadata` is not JSON.
    public static func putOptions(ttl: String?, expiration: String?, metadata: String?) throws -> KVPutOptions {
        var options = KVPutOptions(expirationText: expiration, expirationTtlText: ttl)
        if let metadata {
            do {
                options.metadata = try JSONParser.parse(metadata)
            } catch {
                throw KVStoreError.invalidInput("--metadata is not valid JSON: \(error)")
            }
        }
        return options
    }
}
