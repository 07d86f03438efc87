import Drover
import DroverDurableObjects
import Foundation

/// The API's Durable Objects routes: Cloudflare's namespace and object lists, and Drover's own view
/// of one object — its key-value entries, alarm, tables and SQL — through the object's input gate,
/// as one of its events.
///
/// A namespace's id is its binding's name; an object is named by the name its id came from or by
/// its 64 hex digits.
extension ExplorerAPI {
    func durableObjectsHost() throws -> DurableObjectsHost {
        guard let host = runtime.durableObjects else { throw ExplorerRefusal.notFound("the worker binds no Durable Objects", code: 10097) }
        return host
    }

    func durableObjectBinding(_ binding: String) throws -> DurableObjectsHost {
        let host = try durableObjectsHost()
        guard host.bindingNames.contains(binding) else {
            throw ExplorerRefusal(10097, "no Durable Object namespace \(binding) (bound: \(host.bindingNames.joined(separator: ", ")))", status: 404)
        }
        return host
    }

    /// The host of an object that exists: looking at a name never creates its object.
    func existingDurableObject(_ binding: String, _ object: String) throws -> DurableObjectsHost {
        let host = try durableObjectBinding(binding)
        guard try host.exists(binding: binding, object: object) else {
            throw ExplorerRefusal(10097, "\(binding) has no object \(object) yet", status: 404)
        }
        return host
    }

    /// `GET workers/durable_objects/namespaces`.
    func durableObjectNamespacesJSON() -> [JSONValue] {
        guard let host = runtime.durableObjects else { return [] }
        return host.bindingNames.map { binding in
            [
                "id": .string(binding), "name": .string(binding), "class": .string(host.className(binding: binding) ?? ""),
                "script": .string(runtime.host.workerName), "use_sqlite": .bool(host.usesSQLite(binding: binding)),
            ]
        }
    }

    /// `GET workers/durable_objects/namespaces/{binding}/objects`, with Drover's `name` and `alarm`.
    func durableObjectsJSON(_ binding: String) throws -> [JSONValue] {
        try durableObjectBinding(binding).objects(binding: binding).map { object in
            [
                "id": .string(object.id), "hasStoredData": true, "name": object.name.map(JSONValue.string) ?? .null,
                "alarm": object.alarm.map(JSONValue.integer) ?? .null,
            ]
        }
    }

    /// One object: its id, name, key-value entries (the first 1,000), alarm, tables and size.
    func durableObjectJSON(_ binding: String, _ object: String) async throws -> JSONValue {
        let host = try existingDurableObject(binding, object)
        let id = try host.id(binding: binding, object: object)
        let sqlite = host.usesSQLite(binding: binding)
        let name = try host.object(binding: binding, object: object)?.name ?? id.name
        let (entries, alarm, tables, size) = try await host.withStorage(binding: binding, object: object) { storage in
            let entries = try storage.list(DurableObjectListOptions(limit: 1_000))
            var tables: [JSONValue] = []
            var size: Int64 = 0
            if sqlite {
                let rows = try storage.sql.exec(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
                ).rows
                tables = rows.map { ["name": $0["name"]?.jsonValue ?? .null, "sql": $0["sql"]?.jsonValue ?? .null] }
                size = try storage.sql.databaseSize
            }
            return (entries, try storage.getAlarm(), tables, size)
        }
        return [
            "namespace": .string(binding), "id": .string(id.hex), "name": name.map(JSONValue.string) ?? .null, "use_sqlite": .bool(sqlite),
            "storage": .object(entries), "alarm": alarm.map(JSONValue.integer) ?? .null, "tables": .array(tables),
            "database_size": .integer(size),
        ]
    }

    /// `POST local/durable-objects/{binding}/{object}/sql`, `{"sql"}`: the last statement's rows, in
    /// the shape of D1's `raw` (`[{"results": {"columns", "rows"}}]`), so one console shows both.
    func durableObjectSQL(_ binding: String, _ object: String, _ request: Request) async throws -> Response {
        let body = try await jsonBody(request)
        guard let sql = body["sql"]?.stringValue, !sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ExplorerRefusal(10000, "send {\"sql\": \"…\"}")
        }
        let host = try existingDurableObject(binding, object)
        do {
            let cursor = try await host.withStorage(binding: binding, object: object) { storage in try storage.sql.exec(sql) }
            return CloudflareEnvelope.success([
                [
                    "results": [
                        "columns": .array(cursor.columnNames.map(JSONValue.string)),
                        "rows": .array(cursor.raw().map { .array($0.map(\.jsonValue)) }),
                    ],
                    "meta": ["rows_read": .integer(Int64(cursor.rowsRead)), "rows_written": .integer(Int64(cursor.rowsWritten))],
                ]
            ])
        } catch let error as DurableObjectError {
            throw ExplorerRefusal(10000, error.message)
        }
    }

    /// `PUT local/durable-objects/{binding}/{object}/storage/{key}`: the body, JSON, stored under the key.
    func putDurableObjectValue(_ binding: String, _ object: String, _ key: String, _ request: Request) async throws -> Response {
        let value = try await jsonBody(request)
        let host = try durableObjectBinding(binding)
        do {
            try await host.withStorage(binding: binding, object: object) { storage in try storage.put(key, value) }
        } catch let error as DurableObjectError {
            throw ExplorerRefusal(10000, error.message)
        }
        return CloudflareEnvelope.success(.null)
    }

    /// `DELETE local/durable-objects/{binding}/{object}/storage/{key}`.
    func deleteDurableObjectValue(_ binding: String, _ object: String, _ key: String) async throws -> Response {
        let host = try existingDurableObject(binding, object)
        let existed = try await host.withStorage(binding: binding, object: object) { storage in try storage.delete(key) }
        guard existed else { throw ExplorerRefusal.notFound("no key \(key) in \(binding) \(object)", code: 10009) }
        return CloudflareEnvelope.success(.null)
    }

    /// `POST local/durable-objects/{binding}/{object}/alarm/run`: the alarm's `alarm()` now.
    func runDurableObjectAlarm(_ binding: String, _ object: String) async throws -> Response {
        let host = try existingDurableObject(binding, object)
        guard try await host.fireAlarmNow(binding: binding, object: object) else {
            throw ExplorerRefusal(10000, "\(binding) \(object) has no alarm set")
        }
        return CloudflareEnvelope.success(["ran": true])
    }
}
