import Drover
import DroverConfig
import DroverKV

/// The API's KV routes: namespaces, keys, values and metadata, bulk writes and deletes, export.
extension ExplorerAPI {
    static let keyNotFound = ExplorerRefusal(10009, "get: 'key not found'", status: 404)

    static func namespaceJSON(_ entry: KVNamespaceConfig) -> JSONValue {
        ["id": .string(entry.id), "title": .string(entry.binding), "supports_url_encoding": true, "binding": .string(entry.binding)]
    }

    func kvConfig(_ id: String) throws -> KVNamespaceConfig {
        guard let entry = runtime.config.kvNamespaces.first(where: { $0.id == id || $0.binding == id }) else {
            throw ExplorerRefusal(10013, "list keys: 'namespace \(id) not found'", status: 404)
        }
        return entry
    }

    func kv(_ id: String) throws -> FileKVNamespace {
        guard let namespace = runtime.kvNamespaces[try kvConfig(id).binding] else {
            throw ExplorerRefusal(10013, "namespace \(id) is not open", status: 404)
        }
        return namespace
    }

    /// `GET …/keys?prefix&limit&cursor`: Cloudflare's page, `cursor` empty on the last.
    func listKeys(_ id: String, _ query: QueryParameters) async throws -> Response {
        let limit = try Self.limit(query, default: 1000, maximum: 1000, minimum: 10)
        var options = KVListOptions()
        options.prefix = query["prefix"].flatMap { $0.isEmpty ? nil : $0 }
        options.limit = limit
        options.cursor = query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        let namespace = try kv(id)
        let page = try await Self.refusingInput { try await namespace.list(options) }
        let keys: [JSONValue] = page.keys.map { key in
            var object: JSONObject = ["name": .string(key.name)]
            if let expiration = key.expiration { object["expiration"] = .integer(expiration) }
            if let metadata = key.metadata { object["metadata"] = metadata }
            return .object(object)
        }
        return CloudflareEnvelope.success(
            .array(keys),
            info: ["count": .integer(Int64(keys.count)), "cursor": .string(page.listComplete ? "" : page.cursor ?? "")]
        )
    }

    /// Every key of the namespace in wrangler's bulk JSON (`[{key, value, expiration, metadata}]`,
    /// `base64: true` for a value that is not UTF-8), which `PUT …/bulk` and `drover kv bulk put`
    /// read back.
    func exportKV(_ id: String) async throws -> [JSONValue] {
        let namespace = try kv(id)
        var entries: [JSONValue] = []
        for key in try namespace.listAll() {
            guard let entry = try await namespace.getWithMetadata(key.name, cacheTtl: nil) else { continue }
            var object: JSONObject = ["key": .string(key.name)]
            if let text = String(validating: entry.value, as: UTF8.self) {
                object["value"] = .string(text)
            } else {
                object["value"] = .string(Base64.encode(entry.value))
                object["base64"] = true
            }
            if let expiration = entry.expiration { object["expiration"] = .integer(expiration) }
            if let metadata = entry.metadata { object["metadata"] = metadata }
            entries.append(.object(object))
        }
        return entries
    }

    /// `expiration`, `expiration_ttl` and `metadata` (JSON) of a PUT's query, checked as `put` checks them.
    static func putOptions(_ query: QueryParameters) throws -> KVPutOptions {
        try refusingInputSync {
            try KVWranglerFormat.putOptions(ttl: query["expiration_ttl"], expiration: query["expiration"], metadata: query["metadata"])
        }
    }

    /// `body`, with a store's refusal of the input (an expiration too soon, a value too large) as a
    /// 400 carrying the platform's message.
    static func refusingInput<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as ExplorerRefusal {
            throw refusal
        } catch {
            throw ExplorerRefusal(10000, "\(error)")
        }
    }

    static func refusingInputSync<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let refusal as ExplorerRefusal {
            throw refusal
        } catch {
            throw ExplorerRefusal(10000, "\(error)")
        }
    }
}
