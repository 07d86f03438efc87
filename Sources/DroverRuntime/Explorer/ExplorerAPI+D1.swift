import Drover
import DroverConfig
import DroverD1
import Foundation

/// The API's D1 routes: databases, `query` and `raw`, migrations.
extension ExplorerAPI {
    func d1Config(_ id: String) throws -> D1DatabaseConfig {
        guard let entry = runtime.config.d1Databases.first(where: { $0.databaseID == id || $0.binding == id || $0.databaseName == id }) else {
            throw ExplorerRefusal(7404, "The database \(id) could not be found", status: 404)
        }
        return entry
    }

    func database(_ id: String) throws -> SQLiteD1Database {
        guard let database = runtime.databases[try d1Config(id).binding] else {
            throw ExplorerRefusal(7404, "The database \(id) is not open", status: 404)
        }
        return database
    }

    /// The migrations of the database's folder: applied (recorded in its migrations table) and
    /// pending, in the order they apply.
    func migrationsJSON(_ id: String) async throws -> JSONValue {
        let entry = try d1Config(id)
        let database = try database(id)
        guard FileManager.default.fileExists(atPath: entry.migrationsPath) else {
            return ["directory": .string(entry.migrationsPath), "applied": .array([]), "pending": .array([])]
        }
        let pending = try await D1Migrations.list(database: database, directory: entry.migrationsPath, table: entry.migrationsTable)
        let all = (try? FileManager.default.contentsOfDirectory(atPath: entry.migrationsPath).filter { $0.hasSuffix(".sql") }.sorted()) ?? []
        return [
            "directory": .string(entry.migrationsPath),
            "applied": .array(all.filter { !pending.contains($0) }.map(JSONValue.string)),
            "pending": .array(pending.map(JSONValue.string)),
        ]
    }

    func databaseJSON(_ entry: D1DatabaseConfig) async throws -> JSONValue {
        var object: JSONObject = [
            "uuid": .string(entry.databaseID), "name": .string(entry.databaseName), "version": "production",
            "binding": .string(entry.binding),
        ]
        if let database = runtime.databases[entry.binding] {
            let info = try await database.info()
            object["num_tables"] = .integer(Int64(info.tableCount))
            object["file_size"] = .integer(info.sizeBytes)
        }
        return .object(object)
    }

    /// `POST …/query` or `…/raw`, body `{"sql", "params"}`: each statement's result, as D1's REST
    /// API gives them (`raw`: `{"columns", "rows"}` in place of row objects). One statement may
    /// take `params`; several (separated by `;`) run as a script and take none.
    func query(_ id: String, _ request: Request, raw: Bool) async throws -> Response {
        let body = try await jsonBody(request)
        guard let sql = body["sql"]?.stringValue, !sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ExplorerRefusal(7500, "send {\"sql\": \"…\", \"params\": […]}")
        }
        let database = try database(id)
        let params = body["params"]?.arrayValue ?? []
        let results: [D1Result]
        do {
            if params.isEmpty {
                results = try await database.executeScript(sql)
            } else {
                let values = try params.map { try D1Value(json: $0) }
                results = [try await database.execute(D1PreparedStatement(database: database, sql: sql, values: values))]
            }
        } catch let refusal as ExplorerRefusal {
            throw refusal
        } catch {
            throw ExplorerRefusal(7500, "\(error)")
        }
        guard raw else { return CloudflareEnvelope.success(D1Result.jsonArray(results)) }
        return CloudflareEnvelope.success(
            .array(
                results.map { result in
                    var object = (D1Result.jsonArray([result]).arrayValue?.first?.objectValue) ?? JSONObject()
                    object["results"] = [
                        "columns": .array(result.columns.map(JSONValue.string)),
                        "rows": .array(result.results.map { .array($0.values.map(\.jsonValue)) }),
                    ]
                    return .object(object)
                }
            )
        )
    }
}
