import Drover

/// Output and flag parsing of the `drover kv` commands, as wrangler's local mode prints and reads them.
package enum KVWranglerFormat {
    /// `kv key list` output: `JSON.stringify(keys, null, 2)` of `[{"name", "expiration"?, "metadata"?}]`.
    package static func listJSON(_ keys: [KVListResult.Key]) -> String {
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

    /// `kv bulk get` output as wrangler prints it locally: `JSON.stringify(out, null, 2)` of
    /// `{"<key>": {"value": string | null}}` (workers-sdk `packages/wrangler/src/kv/index.ts`,
    /// `kvBulkGetCommand`).
    ///
    /// Members are in the order a JavaScript object keeps them: keys that are array indices
    /// (`"0"`, `"42"`) first, in numeric order, then the others as first given; a key given twice
    /// keeps its first place.
    package static func bulkGetJSON(_ values: [(key: String, value: String?)]) -> String {
        var indices: [(index: UInt32, key: String)] = []
        var names: [String] = []
        var seen: [String: String?] = [:]
        for (key, value) in values {
            if seen.updateValue(value, forKey: key) != nil { continue }
            if let index = arrayIndex(key) { indices.append((index, key)) } else { names.append(key) }
        }
        let order = indices.sorted { $0.index < $1.index }.map(\.key) + names
        var object = JSONObject()
        for key in order {
            let value = seen[key] ?? nil
            object[key] = .object(JSONObject([("value", value.map(JSONValue.string) ?? .null)]))
        }
        return JSONSerializer.prettyString(.object(object), indent: 2)
    }

    /// `key` as a JavaScript array index (a canonical decimal below 2³² − 1), or `nil`.
    private static func arrayIndex(_ key: String) -> UInt32? {
        guard let index = UInt32(key), index < UInt32.max, String(index) == key else { return nil }
        return index
    }

    /// The `put` options of `kv key put` flags: `--ttl`, `--expiration` (kept unparsed, validated by
    /// `put` with the platform's messages) and `--metadata` (JSON text).
    /// - Throws: ``KVStoreError`` when `--metadata` is not JSON.
    package static func putOptions(ttl: String?, expiration: String?, metadata: String?) throws -> KVPutOptions {
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
