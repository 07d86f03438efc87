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
            let entries = try Self.refusingInputSync { try KVBulkFile.parse(bytes, fileName: "the request body") }
            let namespace = try kv(id)
            try Self.refusingInputSync { try namespace.bulkPut(entries) }
            return CloudflareEnvelope.success(["successful_key_count": .integer(Int64(entries.count)), "unsuccessful_keys": .array([])])
        }
        if let captures = method == "POST"
            ? path.match("storage/kv/namespaces/*/bulk/delete") : method == "DELETE" ? path.match("storage/kv/namespaces/*/bulk") : nil
        {
            let id = captures[0]
            let bytes = try await request.bytes()
            let keys = try Self.refusingInputSync { try KVBulkFile.parseKeys(bytes, fileName: "the request body") }
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
        // Durable Objects
        if method == "GET", path.match("workers/durable_objects/namespaces") != nil {
            return CloudflareEnvelope.success(.array(durableObjectNamespacesJSON()))
        }
        if method == "GET", let captures = path.match("workers/durable_objects/namespaces/*/objects") {
            let objects = try durableObjectsJSON(captures[0])
            return CloudflareEnvelope.success(.array(objects), info: ["count": .integer(Int64(objects.count))])
        }
        if method == "GET", let captures = path.match("local/durable-objects/*/*") {
            return CloudflareEnvelope.success(try await durableObjectJSON(captures[0], captures[1]))
        }
        if method == "POST", let captures = path.match("local/durable-objects/*/*/sql") {
            return try await durableObjectSQL(captures[0], captures[1], request)
        }
        if method == "PUT", let captures = path.match("local/durable-objects/*/*/storage/*") {
            return try await putDurableObjectValue(captures[0], captures[1], captures[2], request)
        }
        if method == "DELETE", let captures = path.match("local/durable-objects/*/*/storage/*") {
            return try await deleteDurableObjectValue(captures[0], captures[1], captures[2])
        }
        if method == "POST", let captures = path.match("local/durable-objects/*/*/alarm/run") {
            return try await runDurableObjectAlarm(captures[0], captures[1])
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
