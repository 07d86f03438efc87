import Drover
import DroverIntegrationKit

/// The bindings a worker is handed, each counting its calls in the runtime's
/// `drover_binding_operations_total{binding, type, operation}` (the dashboard's metrics page), then
/// doing exactly what the store under it does. One per binding per runtime, made when the runtime
/// opens, so code that keys on a namespace's identity (the kit's JWKS memory) sees one object.
final class MeteredKVNamespace: KVNamespace {
    let base: any KVNamespace
    private let get, put, delete, list: Counter?

    init(_ base: any KVNamespace, binding: String, metrics: RuntimeMetrics) {
        self.base = base
        get = metrics.bindingCounter(binding: binding, type: "kv", operation: "get")
        put = metrics.bindingCounter(binding: binding, type: "kv", operation: "put")
        delete = metrics.bindingCounter(binding: binding, type: "kv", operation: "delete")
        list = metrics.bindingCounter(binding: binding, type: "kv", operation: "list")
    }

    func getWithMetadata(_ key: String, cacheTtl: Int?) async throws -> KVEntry? {
        get?.inc()
        return try await base.getWithMetadata(key, cacheTtl: cacheTtl)
    }

    func get(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValue?] {
        get?.inc()
        return try await base.get(keys, type: type, cacheTtl: cacheTtl)
    }

    func getWithMetadata(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValueWithMetadata?] {
        get?.inc()
        return try await base.getWithMetadata(keys, type: type, cacheTtl: cacheTtl)
    }

    func put(_ key: String, value: [UInt8], options: KVPutOptions) async throws {
        put?.inc()
        try await base.put(key, value: value, options: options)
    }

    func delete(_ key: String) async throws {
        delete?.inc()
        try await base.delete(key)
    }

    func list(_ options: KVListOptions) async throws -> KVListResult {
        list?.inc()
        return try await base.list(options)
    }
}

/// A D1 database counting its calls (see ``MeteredKVNamespace``). Statements prepared on it run
/// through it, so each `all`/`run`/`first`/`raw` counts as a query and a `batch` once.
final class MeteredD1Database: D1Database {
    let base: any D1Database
    private let query, batch, exec, dump: Counter?

    init(_ base: any D1Database, binding: String, metrics: RuntimeMetrics) {
        self.base = base
        query = metrics.bindingCounter(binding: binding, type: "d1", operation: "query")
        batch = metrics.bindingCounter(binding: binding, type: "d1", operation: "batch")
        exec = metrics.bindingCounter(binding: binding, type: "d1", operation: "exec")
        dump = metrics.bindingCounter(binding: binding, type: "d1", operation: "dump")
    }

    func execute(_ statement: D1PreparedStatement) async throws -> D1Result {
        query?.inc()
        return try await base.execute(statement)
    }

    func firstRow(_ statement: D1PreparedStatement) async throws -> D1Row? {
        query?.inc()
        return try await base.firstRow(statement)
    }

    func batch(_ statements: [D1PreparedStatement]) async throws -> [D1Result] {
        batch?.inc()
        return try await base.batch(statements)
    }

    func exec(_ sql: String) async throws -> D1ExecResult {
        exec?.inc()
        return try await base.exec(sql)
    }

    func dump() async throws -> [UInt8] {
        dump?.inc()
        return try await base.dump()
    }

    var latestBookmark: String? { base.latestBookmark }
}

/// A queue producer counting its sends (see ``MeteredKVNamespace``).
struct MeteredQueue: Queue {
    let base: any Queue
    private let send, sendBatch: Counter?

    init(_ base: any Queue, binding: String, metrics: RuntimeMetrics) {
        self.base = base
        send = metrics.bindingCounter(binding: binding, type: "queue", operation: "send")
        sendBatch = metrics.bindingCounter(binding: binding, type: "queue", operation: "send_batch")
    }

    func send(_ message: MessageSendRequest) async throws {
        send?.inc()
        try await base.send(message)
    }

    func sendBatch(_ messages: [MessageSendRequest], delaySeconds: Int?) async throws {
        sendBatch?.inc()
        try await base.sendBatch(messages, delaySeconds: delaySeconds)
    }
}
