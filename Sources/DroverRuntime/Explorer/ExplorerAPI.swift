import Drover
import DroverConfig
import DroverD1
import DroverKV
import DroverQueues
import Foundation

/// The dashboard's JSON API under `/cdn-cgi/explorer/api/`: Cloudflare's REST paths without
/// `/accounts/{account_id}`, answered in Cloudflare's envelope, where Cloudflare has the operation
/// (KV, D1, Queues), and `local/...` for what only Drover has (dead letters, cron triggers,
/// versions, metrics, the live tail). `GET api/` is its OpenAPI document. The pages and their
/// script use nothing else.
///
/// Ids are the config's: a KV namespace's `id`, a D1 database's `database_id`, a queue's name.
package struct ExplorerAPI: Sendable {
    /// The worker whose bindings are shown (the primary version while a split serves).
    package let runtime: WorkerRuntime
    /// The session's tails, token and rollback.
    package let context: ExplorerContext
    /// The deployed versions serving now and their shares.
    package let shares: [(version: Int?, percentage: Double)]

    package init(runtime: WorkerRuntime, context: ExplorerContext, shares: [(version: Int?, percentage: Double)] = []) {
        self.runtime = runtime
        self.context = context
        self.shares = shares
    }

    /// The answer to `method` on `path` (the segments after `api/`, percent-decoded).
    package func respond(method: String, path: [String], request: Request) async -> Response {
        do {
            return try await route(method: method, path: path, request: request)
        } catch let refusal as ExplorerRefusal {
            return refusal.response
        } catch {
            return CloudflareEnvelope.failure(code: 10000, "\(error)", status: 400)
        }
    }

    private func route(method: String, path: [String], request: Request) async throws -> Response {
        let path = RoutePath(segments: path)
        if method == "GET", path.match("") != nil {
            return .json(ExplorerOpenAPI.document, headers: CloudflareEnvelope.noStore)
        }
        // KV
        if method == "GET", path.match("storage/kv/namespaces") != nil {
            return CloudflareEnvelope.success(.array(runtime.config.kvNamespaces.map(Self.namespaceJSON)))
        }
        if method == "GET", let captures = path.match("storage/kv/namespaces/*") {
            let id = captures[0]
            return CloudflareEnvelope.success(Self.namespaceJSON(try kvConfig(id)))
        }
        if method == "GET", let captures = path.match("storage/kv/namespaces/*/keys") {
            let id = captures[0]
            return try await listKeys(id, request.query)
        }
        if method == "GET", let captures = path.match("storage/kv/namespaces/*/values/*") {
            let id = captures[0]
            let key = captures[1]
            guard let entry = try await kv(id).getWithMetadata(key, cacheTtl: nil) else { throw Self.keyNotFound }
            var headers = CloudflareEnvelope.noStore
            headers["content-type"] = "application/octet-stream"
            if let expiration = entry.expiration { headers["expiration"] = String(expiration) }
            return Response(status: 200, headers: headers, body: Body(bytes: entry.value))
        }
        if method == "GET", let captures = path.match("storage/kv/namespaces/*/metadata/*") {
            let id = captures[0]
            let key = captures[1]
            guard let entry = try await kv(id).getWithMetadata(key, cacheTtl: nil) else { throw Self.keyNotFound }
            return CloudflareEnvelope.success(entry.metadata ?? .null)
        }
        if method == "PUT", let captures = path.match("storage/kv/namespaces/*/values/*") {
            let id = captures[0]
            let key = captures[1]
            let options = try Self.putOptions(request.query)
            let value = try await request.bytes()
            let namespace = try kv(id)
            try await Self.refusingInput { try await namespace.put(key, value: value, options: options) }
            return CloudflareEnvelope.success(.object([:]))
        }
        if method == "DELETE", let captures = path.match("storage/kv/namespaces/*/values/*") {
            let id = captures[0]
            let key = captures[1]
            try await kv(id).delete(key)
            return CloudflareEnvelope.success(.object([:]))
        }
        if method == "PUT", let captures = path.match("storage/kv/namespaces/*/bulk") {
            let id = captures[0]
            let bytes = try await request.bytes()
            let entries = try Self.refusingInput { try KVBulkFile.parse(bytes, fileName: "the request body") }
            let namespace = try kv(id)
            try Self.refusingInput { try namespace.bulkPut(entries) }
            return CloudflareEnvelope.success(["successful_key_count": .integer(Int64(entries.count)), "unsuccessful_keys": .array([])])
        }
        if let captures = method == "POST" ? path.match("storage/kv/namespaces/*/bulk/delete") : method == "DELETE" ? path.match("storage/kv/namespaces/*/bulk") : nil {
            let id = captures[0]
            let bytes = try await request.bytes()
            let keys = try Self.refusingInput { try KVBulkFile.parseKeys(bytes, fileName: "the request body") }
            try kv(id).bulkDelete(keys)
            return CloudflareEnvelope.success(["successful_key_count": .integer(Int64(keys.count)), "unsuccessful_keys": .array([])])
        }
        // D1
        if method == "GET", path.match("d1/database") != nil {
            var databases: [JSONValue] = []
            for entry in runtime.config.d1Databases { databases.append(try await databaseJSON(entry)) }
            return CloudflareEnvelope.success(.array(databases), info: ["count": .integer(Int64(databases.count)), "page": 1, "per_page": 100])
        }
        if method == "GET", let captures = path.match("d1/database/*") {
            let id = captures[0]
            return CloudflareEnvelope.success(try await databaseJSON(try d1Config(id)))
        }
        if method == "POST", let captures = path.match("d1/database/*/query") {
            let id = captures[0]
            return try await query(id, request, raw: false)
        }
        if method == "POST", let captures = path.match("d1/database/*/raw") {
            let id = captures[0]
            return try await query(id, request, raw: true)
        }
        if method == "GET", let captures = path.match("d1/database/*/export") {
            let id = captures[0]
            let dump = try await database(id).sqlDump()
            var headers = CloudflareEnvelope.noStore
            headers["content-type"] = "application/sql; charset=utf-8"
            headers["content-disposition"] = "attachment; filename=\"\(try d1Config(id).databaseName).sql\""
            return Response(dump, headers: headers)
        }
        // Queues
        if method == "GET", path.match("queues") != nil {
            return CloudflareEnvelope.success(.array(try await queuesJSON()))
        }
        if method == "GET", let captures = path.match("queues/*") {
            let name = captures[0]
            guard let queue = try await queuesJSON().first(where: { $0["queue_id"]?.stringValue == name }) else { throw Self.queueNotFound(name) }
            return CloudflareEnvelope.success(queue)
        }
        if method == "PATCH", let captures = path.match("queues/*") {
            let name = captures[0]
            let body = try await jsonBody(request)
            guard let paused = body["settings"]?["delivery_paused"]?.boolValue else {
                throw ExplorerRefusal(10000, "send {\"settings\": {\"delivery_paused\": true|false}}")
            }
            try await broker(name).setPaused(paused, queue: name)
            guard let queue = try await queuesJSON().first(where: { $0["queue_id"]?.stringValue == name }) else { throw Self.queueNotFound(name) }
            return CloudflareEnvelope.success(queue)
        }
        if method == "POST", let captures = path.match("queues/*/messages") {
            let name = captures[0]
            try await send(name, [try await jsonBody(request)])
            return CloudflareEnvelope.success(.null)
        }
        if method == "POST", let captures = path.match("queues/*/messages/batch") {
            let name = captures[0]
            let body = try await jsonBody(request)
            guard let messages = body["messages"]?.arrayValue else { throw ExplorerRefusal(10000, "send {\"messages\": [{\"body\": …}, …]}") }
            try await send(name, messages, delaySeconds: body["delay_seconds"]?.integerValue.flatMap { Int(exactly: $0) })
            return CloudflareEnvelope.success(.null)
        }
        if method == "POST", let captures = path.match("queues/*/purge") {
            let name = captures[0]
            let count = try await broker(name).purge(queue: name)
            return CloudflareEnvelope.success(["started_at": .string(Self.timestamp(runtime.options.clock.now())), "purged": .integer(Int64(count))])
        }
        // Drover's own
        if method == "GET", path.match("local/overview") != nil {
            return CloudflareEnvelope.success(try await overviewJSON())
        }
        if method == "GET", let captures = path.match("local/queues/*/messages") {
            let name = captures[0]
            let limit = try Self.limit(request.query, default: 100, maximum: 1000)
            let messages = try await broker(name).messages(queue: name, limit: limit)
            return CloudflareEnvelope.success(.array(messages.map(Self.messageJSON)))
        }
        if method == "DELETE", let captures = path.match("local/queues/*/messages/*") {
            let name = captures[0]
            let id = captures[1]
            guard try await broker(name).deleteMessage(queue: name, id: id) else {
                throw ExplorerRefusal.notFound("no message \(id) in \(name) that no consumer holds", code: 10101)
            }
            return CloudflareEnvelope.success(.null)
        }
        if method == "GET", let captures = path.match("local/kv/*/export") {
            let id = captures[0]
            return CloudflareEnvelope.success(.array(try await exportKV(id)))
        }
        if method == "GET", let captures = path.match("local/d1/*/migrations") {
            let id = captures[0]
            return CloudflareEnvelope.success(try await migrationsJSON(id))
        }
        if method == "GET", path.match("local/dead-letters") != nil {
            return CloudflareEnvelope.success(.array(try await deadLettersJSON()))
        }
        if method == "GET", let captures = path.match("local/dead-letters/*") {
            let queue = captures[0]
            return CloudflareEnvelope.success(.array(try await broker(queue).deadLetters(queue: queue).map(Self.deadLetterJSON)))
        }
        if method == "POST", let captures = path.match("local/dead-letters/*/replay") {
            let queue = captures[0]
            let count = try await broker(queue).replayDeadLetters(queue: queue)
            return CloudflareEnvelope.success(["replayed": .integer(Int64(count))])
        }
        if method == "POST", let captures = path.match("local/dead-letters/*/*/replay") {
            let queue = captures[0]
            let id = captures[1]
            let edited = try await editedBody(request)
            guard let source = try await broker(queue).replayDeadLetter(queue: queue, id: id, body: edited) else {
                throw ExplorerRefusal.notFound("no dead letter \(id) in \(queue) that no consumer holds", code: 10101)
            }
            return CloudflareEnvelope.success(["replayed": 1, "queue": .string(source)])
        }
        if method == "GET", path.match("local/cron") != nil {
            return CloudflareEnvelope.success(.array(cronJSON()))
        }
        if method == "POST", path.match("local/cron/run") != nil {
            let body = try await jsonBody(request)
            let requested = body["cron"]?.stringValue ?? ""
            guard let cron = InternalRoutes.declaredCron(requested, among: runtime.host.cronTriggers) else {
                throw ExplorerRefusal(10000, "cron \"\(requested)\" is not one of the worker's cron triggers")
            }
            let result = await runtime.host.scheduled(cron: cron, at: runtime.options.clock.now())
            return CloudflareEnvelope.success(["cron": .string(cron), "outcome": .string(result.outcome.rawValue), "noRetry": .bool(result.noRetry)])
        }
        if method == "GET", path.match("local/versions") != nil {
            return CloudflareEnvelope.success(try versionsJSON())
        }
        if method == "POST", path.match("local/versions/rollback") != nil {
            guard let rollback = context.rollback else { throw ExplorerRefusal(10000, "rollback is not available in this session", status: 501) }
            let body = try await jsonBody(request)
            let message = try await rollback(body["version"]?.integerValue.flatMap { Int(exactly: $0) }, body["message"]?.stringValue)
            return CloudflareEnvelope.success(["message": .string(message)])
        }
        if method == "GET", path.match("local/metrics") != nil {
            return CloudflareEnvelope.success(ExplorerMetrics.snapshot(runtime.host.metrics.registry.render()))
        }
        if method == "GET", path.match("local/tail") != nil {
            guard let tail = context.tail else { throw ExplorerRefusal.notFound("no live tail in this session", code: 7003) }
            return ExplorerTail.serverSentEvents(tail)
        }
        if method == "GET", path.match("local/fixtures") != nil {
            return CloudflareEnvelope.success(.array(try ExplorerFixtures.list(context.fixturesDirectory)))
        }
        if method == "POST", let captures = path.match("local/fixtures/*/replay") {
            let name = captures[0]
            guard let replay = context.replayFixture else { throw ExplorerRefusal(10000, "replay is not available in this session", status: 501) }
            let file = try ExplorerFixtures.path(of: name, in: context.fixturesDirectory)
            guard FileManager.default.fileExists(atPath: file) else { throw ExplorerRefusal.notFound("no fixture \(name)", code: 7003) }
            let (passed, report) = try await replay(file)
            return CloudflareEnvelope.success(["passed": .bool(passed), "report": .string(report)])
        }
        if method == "GET", let captures = path.match("local/fixtures/*") {
            let name = captures[0]
            return CloudflareEnvelope.success(try ExplorerFixtures.read(name, in: context.fixturesDirectory))
        }
        return CloudflareEnvelope.failure(code: 7003, "No route for the URI", status: 404)
    }
}

// MARK: - KV

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
            .array(keys), info: ["count": .integer(Int64(keys.count)), "cursor": .string(page.listComplete ? "" : page.cursor ?? "")])
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
        try refusingInput {
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

    static func refusingInput<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let refusal as ExplorerRefusal {
            throw refusal
        } catch {
            throw ExplorerRefusal(10000, "\(error)")
        }
    }
}

// MARK: - D1

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
                }))
    }
}

// MARK: - Queues

extension ExplorerAPI {
    static func queueNotFound(_ name: String) -> ExplorerRefusal {
        ExplorerRefusal(10104, "queue \(name) is not named by the config", status: 404)
    }

    /// Every queue the config names (producers, consumers, dead-letter queues).
    var configuredQueues: [String] {
        let queues = runtime.config.queues
        return Array(Set(queues.producers.map(\.queue) + queues.consumers.map(\.queue) + queues.consumers.compactMap(\.deadLetterQueue))).sorted()
    }

    func broker(_ queue: String) throws -> QueueBroker {
        guard configuredQueues.contains(queue) else { throw Self.queueNotFound(queue) }
        guard let broker = runtime.broker else { throw Self.queueNotFound(queue) }
        return broker
    }

    /// Cloudflare's queue objects, with Drover's counts under `local`.
    func queuesJSON() async throws -> [JSONValue] {
        guard let broker = runtime.broker else { return [] }
        let queues = runtime.config.queues
        let stats = try await broker.stats(including: configuredQueues)
        let paused = try await broker.pausedQueues()
        return stats.filter { configuredQueues.contains($0.queue) }.map { stat in
            let consumer = queues.consumers.first { $0.queue == stat.queue }
            var consumers: [JSONValue] = []
            if let consumer {
                var settings: JSONObject = [
                    "batch_size": .integer(Int64(consumer.maxBatchSize)), "max_retries": .integer(Int64(consumer.maxRetries)),
                    "max_wait_time_ms": .integer(Int64(consumer.maxBatchTimeout) * 1000),
                ]
                if let dlq = consumer.deadLetterQueue { settings["dead_letter_queue"] = .string(dlq) }
                consumers.append(["type": "worker", "script": .string(runtime.host.workerName), "settings": .object(settings)])
            }
            let producers: [JSONValue] = queues.producers.filter { $0.queue == stat.queue }.map {
                ["type": "worker", "script": .string(runtime.host.workerName), "binding": .string($0.binding)]
            }
            let deadLetterOf = queues.consumers.filter { $0.deadLetterQueue == stat.queue }.map(\.queue)
            return [
                "queue_id": .string(stat.queue), "queue_name": .string(stat.queue),
                "producers": .array(producers), "producers_total_count": .integer(Int64(producers.count)),
                "consumers": .array(consumers), "consumers_total_count": .integer(Int64(consumers.count)),
                "settings": ["delivery_paused": .bool(paused.contains(stat.queue))],
                "local": [
                    "pending": .integer(Int64(stat.ready)), "delayed": .integer(Int64(stat.delayed)),
                    "in_flight": .integer(Int64(stat.inFlight)), "dead_lettered": .integer(Int64(stat.deadLettered)),
                    "dropped": .integer(Int64(stat.dropped)), "dead_letter_queue_of": .array(deadLetterOf.map(JSONValue.string)),
                ],
            ]
        }
    }

    /// Sends `messages` (`{"body", "content_type", "delay_seconds"}` each) to `queue`, all or none.
    func send(_ queue: String, _ messages: [JSONValue], delaySeconds: Int? = nil) async throws {
        let broker = try broker(queue)
        var requests: [MessageSendRequest] = []
        for message in messages {
            guard let body = message["body"] else { throw ExplorerRefusal(10000, "a message needs a \"body\"") }
            let contentType = message["content_type"]?.stringValue ?? "json"
            let messageBody: MessageBody
            switch contentType {
            case "json": messageBody = .json(body)
            case "text":
                guard let text = body.stringValue else { throw ExplorerRefusal(10000, "a text message's body must be a string") }
                messageBody = .text(text)
            case "bytes":
                guard let text = body.stringValue, let bytes = Base64.decode(text) else {
                    throw ExplorerRefusal(10000, "a bytes message's body must be base64")
                }
                messageBody = .bytes(bytes)
            default: throw ExplorerRefusal(10000, "content_type must be json, text or bytes")
            }
            requests.append(MessageSendRequest(body: messageBody, delaySeconds: message["delay_seconds"]?.integerValue.flatMap { Int(exactly: $0) } ?? delaySeconds))
        }
        try await Self.refusingInput { try await broker.producer(queue: queue).sendBatch(requests, delaySeconds: nil) }
    }

    /// A replay's edited body, `{"body", "content_type"}`; nil for an empty request (replay as it was).
    func editedBody(_ request: Request) async throws -> (MessageBody, QueueContentType)? {
        let bytes = try await request.bytes()
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return nil }
        let body = try Self.parseJSON(bytes)
        guard let value = body["body"] else { return nil }
        switch body["content_type"]?.stringValue ?? "json" {
        case "json": return (.json(value), .json)
        case "text":
            guard let text = value.stringValue else { throw ExplorerRefusal(10000, "a text message's body must be a string") }
            return (.text(text), .text)
        default: throw ExplorerRefusal(10000, "an edited body is json or text")
        }
    }

    static func messageJSON(_ message: QueuedMessage) -> JSONValue {
        var object: JSONObject = [
            "id": .string(message.id), "queue": .string(message.queue), "timestamp_ms": .integer(message.timestampMilliseconds),
            "content_type": .string(message.contentType.rawValue), "body": bodyJSON(message.body),
            "attempts": .integer(Int64(message.deliveries)), "next_delivery_ms": .integer(message.visibleAtMilliseconds),
            "in_flight": .bool(message.inFlight),
        ]
        if let from = message.deadLetteredFrom { object["dead_lettered_from"] = .string(from) }
        if let failure = message.lastError { object["last_error"] = .string(failure) }
        return .object(object)
    }

    static func deadLetterJSON(_ letter: DeadLetter) -> JSONValue {
        var object: JSONObject = [
            "id": .string(letter.id), "from": .string(letter.sourceQueue), "dead_letter_queue": .string(letter.deadLetterQueue),
            "timestamp_ms": .integer(letter.timestampMilliseconds), "content_type": .string(letter.contentType.rawValue),
            "body": bodyJSON(letter.body), "dead_letter_deliveries": .integer(Int64(letter.deliveries)), "in_flight": .bool(letter.inFlight),
        ]
        if let traceparent = letter.traceparent { object["traceparent"] = .string(traceparent) }
        if let failure = letter.lastError { object["last_error"] = .string(failure) }
        if let attempts = letter.failedDeliveries { object["attempts"] = .integer(Int64(attempts)) }
        return .object(object)
    }

    /// A body as JSON: JSON as itself, text as a string, bytes as base64.
    static func bodyJSON(_ body: MessageBody) -> JSONValue {
        switch body {
        case .json(let value): value
        case .text(let text): .string(text)
        case .bytes(let bytes): .string(Base64.encode(bytes))
        }
    }

    func deadLettersJSON() async throws -> [JSONValue] {
        guard let broker = runtime.broker else { return [] }
        var all: [JSONValue] = []
        for queue in Set(runtime.config.queues.consumers.compactMap(\.deadLetterQueue)).sorted() {
            all += try await broker.deadLetters(queue: queue).map(Self.deadLetterJSON)
        }
        return all
    }
}

// MARK: - Overview, cron, versions

extension ExplorerAPI {
    func overviewJSON() async throws -> JSONValue {
        let config = runtime.config
        var bindings: [JSONValue] = []
        for entry in config.kvNamespaces {
            bindings.append(["type": "kv_namespace", "name": .string(entry.binding), "id": .string(entry.id)])
        }
        for entry in config.d1Databases {
            bindings.append(["type": "d1", "name": .string(entry.binding), "id": .string(entry.databaseID), "database_name": .string(entry.databaseName)])
        }
        for producer in config.queues.producers {
            bindings.append(["type": "queue", "name": .string(producer.binding), "queue_name": .string(producer.queue)])
        }
        for service in config.services {
            bindings.append(["type": "service", "name": .string(service.binding), "service": .string(service.service)])
        }
        // Secrets by name only: their values never leave the server.
        for name in runtime.options.secrets.keys.sorted() {
            bindings.append(["type": "secret_text", "name": .string(name)])
        }
        for name in config.vars.keys.sorted() {
            bindings.append(["type": "plain_text", "name": .string(name)])
        }
        let metrics = ExplorerMetrics.snapshot(runtime.host.metrics.registry.render())
        let now = runtime.options.clock.now()
        return [
            "worker": .string(runtime.host.workerName), "config_file": .string(config.configPath),
            "state_directory": .string(runtime.options.stateDirectory),
            "started_at": .string(Self.timestamp(context.startedAt)),
            "uptime_seconds": .integer(Int64(max(0, now.timeIntervalSince(context.startedAt)))),
            "versions": .array(
                shares.filter { $0.version != nil }.map { ["version": .integer(Int64($0.version ?? 0)), "percentage": .double($0.percentage)] }),
            "requests_total": metrics["requests_total"] ?? 0,
            "bindings": .array(bindings),
            "crons": .array(runtime.host.cronTriggers.map(JSONValue.string)),
        ]
    }

    /// Each cron trigger with its next fire times on the runtime's clock.
    func cronJSON() -> [JSONValue] {
        let now = runtime.options.clock.now()
        return runtime.config.triggers.crons.map { cron in
            var next: [JSONValue] = []
            var after = now
            for _ in 0..<5 {
                guard let date = cron.nextDate(after: after) else { break }
                next.append(.string(Self.timestamp(date)))
                after = date
            }
            var object: JSONObject = ["cron": .string(cron.source), "next": .array(next)]
            if let last = runtime.host.lastRuns[cron.source] {
                object["last_run"] = [
                    "scheduled_time": .string(Self.timestamp(last.scheduledTime)), "finished_at": .string(Self.timestamp(last.finishedAt)),
                    "outcome": .string(last.outcome.rawValue),
                ]
            }
            return .object(object)
        }
    }

    func versionsJSON() throws -> JSONValue {
        let store = VersionStore(stateDirectory: runtime.options.stateDirectory)
        let versions = try store.versions()
        let deployments = try store.deployments()
        let active = try store.active()
        return [
            "versions": .array(versions.reversed().map { version in
                [
                    "id": .integer(Int64(version.id)), "created_on": .string(version.createdAt), "config_path": .string(version.configPath),
                    "message": version.message.map(JSONValue.string) ?? .null, "config": .string(version.config),
                ]
            }),
            "deployments": .array(deployments.reversed().map { deployment in
                [
                    "id": .integer(Int64(deployment.id)), "created_on": .string(deployment.createdAt), "source": .string(deployment.source),
                    "message": deployment.message.map(JSONValue.string) ?? .null,
                    "versions": .array(deployment.versions.map { ["version_id": .integer(Int64($0.version)), "percentage": .double($0.percentage)] }),
                ]
            }),
            "active": active.map { .integer(Int64($0.id)) } ?? .null,
        ]
    }
}

// MARK: - Helpers

extension ExplorerAPI {
    func jsonBody(_ request: Request) async throws -> JSONValue {
        try Self.parseJSON(try await request.bytes())
    }

    static func parseJSON(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ExplorerRefusal(10000, "the request body is not JSON: \(error)")
        }
    }

    /// The `limit` (or `per_page`) of a query: a whole number from `minimum` to `maximum`.
    static func limit(_ query: QueryParameters, default fallback: Int, maximum: Int, minimum: Int = 1) throws -> Int {
        guard let text = query["limit"] ?? query["per_page"] else { return fallback }
        guard let value = Int(text), (minimum...maximum).contains(value) else {
            throw ExplorerRefusal(10000, "limit must be a whole number from \(minimum) to \(maximum)")
        }
        return value
    }

    static func timestamp(_ date: Date) -> String { VersionStore.timestamp(date) }
}

/// The segments of a request's path under the API or the pages, matched against patterns.
struct RoutePath {
    let segments: [String]

    /// The segments `pattern` (`"d1/database/*/query"`, `""` for none) captures at its `*`s; nil
    /// when it does not match.
    func match(_ pattern: String) -> [String]? {
        let parts = pattern.split(separator: "/")
        guard parts.count == segments.count else { return nil }
        var captures: [String] = []
        for (part, segment) in zip(parts, segments) {
            if part == "*" {
                captures.append(segment)
            } else if part != segment {
                return nil
            }
        }
        return captures
    }
}
