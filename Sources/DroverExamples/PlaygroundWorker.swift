import Drover
import Foundation

/// The playground worker (Docs/playground.md): every binding within reach of `curl`.
///
/// Configured by `Examples/playground/wrangler-like.toml`: KV `KV`, D1 `DB`, queue producer `JOBS`
/// (consumers for `jobs` and `jobs-dlq`), Durable Object namespace `COUNTER` (``PlaygroundCounter``),
/// var `GREETING`, secret `API_TOKEN`, a cron trigger.
/// Written against the `Drover` API alone, like any user's worker.
package struct PlaygroundWorker: Worker {
    private let router: Router

    package init() {
        var router = Router()
        router.use(Self.bindingErrorsAsBadRequests)
        router.get("/kv", Self.listKeys)
        router.post("/kv/bulk", Self.bulkGet)
        router.put("/kv/*", Self.putKey)
        router.get("/kv/*", Self.getKey)
        router.delete("/kv/*", Self.deleteKey)
        router.post("/d1/query", Self.d1Query)
        router.post("/d1/first", Self.d1First)
        router.post("/d1/raw", Self.d1Raw)
        router.post("/d1/batch", Self.d1Batch)
        router.post("/d1/exec", Self.d1Exec)
        router.post("/d1/session", Self.d1Session)
        router.post("/queue/send", Self.queueSend)
        router.post("/queue/batch", Self.queueBatch)
        router.get("/env", Self.environment)
        router.post("/do/counter/:name/incr", Self.counterIncrement)
        router.get("/do/counter/:name", Self.counterState)
        router.post("/do/counter/:name/alarm", Self.counterAlarm)
        router.post("/do/counter/:name/sql", Self.counterSQL)
        router.get("/do/id/:string", Self.durableObjectID)
        router.get("/time") { _, env, _ in .json(["now": env.clock.nowMilliseconds()]) }
        router.get("/request", Self.echoRequest)
        self.router = router
    }

    package func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        try await router.fetch(request, env: env, ctx: ctx)
    }

    // MARK: - The request as received

    /// `{"method", "url", "headers": {name: value}}`: names lower-cased, fields of one name combined
    /// with ", " in order (Fetch `Headers.get`), names sorted so the answer is stable.
    @Sendable private static func echoRequest(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let names = Set(request.headers.map(\.name)).sorted()
        let headers = JSONObject(names.map { ($0, JSONValue.string(request.headers.value(for: $0) ?? "")) })
        return .json(["method": request.method, "url": request.url, "headers": headers])
    }

    // MARK: - Errors

    /// "Errors from a binding are answered 400 {"error": "<the binding's message, verbatim>"}."
    /// (A body that is not JSON, a bad query parameter and a ``PlaygroundError`` answer 400 on
    /// their own: they are ``HTTPResponseError``s.)
    @Sendable private static func bindingErrorsAsBadRequests(
        _ request: Request,
        _ env: Env,
        _ ctx: ExecutionContext,
        _ next: Router.Next
    ) async throws -> Response {
        do {
            return try await next(request)
        } catch let error as any BindingError {
            return .error(error.message, status: 400)
        }
    }

    // MARK: - KV

    @Sendable private static func putKey(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let key = request.params["*"] ?? ""
        let query = request.query
        var metadata: JSONValue?
        if let header = request.headers["x-kv-metadata"] {
            do {
                metadata = try JSONParser.parse(header)
            } catch {
                throw PlaygroundError("x-kv-metadata is not JSON: \(error)")
            }
        }
        let options = KVPutOptions(expirationText: query["expiration"], expirationTtlText: query["ttl"], metadata: metadata)
        try await env.kv("KV").put(key, value: try await request.bytes(), options: options)
        return .json(["ok": true], status: 201)
    }

    @Sendable private static func getKey(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        guard let entry = try await env.kv("KV").getWithMetadata(request.params["*"] ?? "") else {
            return .error("not found", status: 404)
        }
        var headers = Headers()
        if let metadata = entry.metadata { headers.set("x-kv-metadata", JSONSerializer.string(metadata)) }
        return Response(status: 200, headers: headers, body: Body(bytes: entry.value))
    }

    @Sendable private static func deleteKey(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        try await env.kv("KV").delete(request.params["*"] ?? "")
        return Response(status: 204)
    }

    /// `{"keys": [...], "type"?: "text" | "json", "withMetadata"?: bool}` → the bulk `get` (or
    /// `getWithMetadata`) as an object: each key's value (or `{value, metadata}`), `null` when absent.
    @Sendable private static func bulkGet(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let body = try await request.json()
        guard let keys = body["keys"]?.arrayValue?.compactMap(\.stringValue) else { throw PlaygroundError("\"keys\" must be an array of strings") }
        let type = KVBulkType(rawValue: body["type"]?.stringValue ?? "text")
        func json(_ value: KVBulkValue) -> JSONValue {
            switch value {
            case .text(let text): .string(text)
            case .json(let json): json
            }
        }
        var object = JSONObject()
        if body["withMetadata"]?.boolValue == true {
            let entries = try await env.kv("KV").getWithMetadata(keys, type: type)
            for key in keys {
                object[key] = (entries[key] ?? nil).map { .object(["value": json($0.value), "metadata": $0.metadata ?? .null]) } ?? .null
            }
        } else {
            let values = try await env.kv("KV").get(keys, type: type)
            for key in keys { object[key] = (values[key] ?? nil).map(json) ?? .null }
        }
        return .json(.object(object))
    }

    @Sendable private static func listKeys(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let query = request.query
        let options = KVListOptions(prefix: query["prefix"], limit: try query.get("limit", as: Int.self), cursor: query["cursor"])
        let page = try await env.kv("KV").list(options)
        var body: JSONObject = [
            "keys": page.keys.map { key in
                var object: JSONObject = ["name": key.name]
                if let expiration = key.expiration { object["expiration"] = .integer(expiration) }
                if let metadata = key.metadata { object["metadata"] = metadata }
                return object
            },
            "list_complete": page.listComplete,
        ]
        if let cursor = page.cursor { body["cursor"] = .string(cursor) }
        return .json(.object(body))
    }

    // MARK: - Durable Objects

    private static func counter(_ request: Request, _ env: Env) throws -> DurableObjectStub {
        try env.durableObjects("COUNTER").getByName(request.params["name"] ?? "")
    }

    @Sendable private static func counterIncrement(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let stub = try counter(request, env)
        let count = try await stub.call(PlaygroundCounter.self) { try $0.increment() }
        return .json(["count": count, "id": stub.id.hex])
    }

    @Sendable private static func counterState(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        .json(try await counter(request, env).call(PlaygroundCounter.self) { try $0.state() })
    }

    @Sendable private static func counterAlarm(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        guard let milliseconds = try await request.json()["inMs"]?.integerValue else { throw PlaygroundError("\"inMs\" must be a number") }
        let now = env.clock.nowMilliseconds()
        let alarm = try await counter(request, env).call(PlaygroundCounter.self) { try $0.setAlarm(in: milliseconds, now: now) }
        return .json(["alarm": alarm])
    }

    @Sendable private static func counterSQL(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let body = try await request.json()
        guard let sql = body["sql"]?.stringValue else { throw PlaygroundError("\"sql\" must be a string") }
        let params = try (body["params"]?.arrayValue ?? []).map { try D1Value(json: $0) }
        let rows = try await counter(request, env).call(PlaygroundCounter.self) { try $0.query(sql, params) }
        return .json(["rows": .array(rows)])
    }

    @Sendable private static func durableObjectID(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        .json(["id": try env.durableObjects("COUNTER").idFromString(request.params["string"] ?? "").hex])
    }

    // MARK: - D1

    private static func statement(_ object: JSONValue, on database: any D1Database) throws -> D1PreparedStatement {
        guard let sql = object["sql"]?.stringValue else { throw PlaygroundError("\"sql\" must be a string") }
        let params = try (object["params"]?.arrayValue ?? []).map { try D1Value(json: $0) }
        return database.prepare(sql).bind(params)
    }

    @Sendable private static func d1Query(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let database = try env.d1("DB")
        let result = try await statement(try await request.json(), on: database).all()
        return .json(JSONValue(result))
    }

    @Sendable private static func d1First(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let body = try await request.json()
        let statement = try statement(body, on: try env.d1("DB"))
        if let column = body["column"]?.stringValue {
            return .json(["value": try await statement.first(column)])
        }
        return .json(["value": try await statement.first()])
    }

    @Sendable private static func d1Raw(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let body = try await request.json()
        let rows = try await statement(body, on: try env.d1("DB")).raw(columnNames: body["columnNames"]?.boolValue ?? false)
        return .json(["rows": rows])
    }

    @Sendable private static func d1Batch(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let database = try env.d1("DB")
        guard let list = try await request.json().arrayValue else { throw PlaygroundError("the body must be an array of statements") }
        let results = try await database.batch(try list.map { try statement($0, on: database) })
        return .json(JSONValue(results))
    }

    @Sendable private static func d1Exec(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        guard let sql = try await request.json()["sql"]?.stringValue else { throw PlaygroundError("\"sql\" must be a string") }
        let result = try await env.d1("DB").exec(sql)
        return .json(["count": result.count, "duration": result.duration])
    }

    /// `{"bookmark"?: string, "statements": [{"sql", "params"}]}` → each statement's `all()` in one
    /// D1 session started from `bookmark` (a constraint or a bookmark), and the session's bookmark
    /// afterwards, also in `x-d1-bookmark` as the read replication docs pass it on.
    @Sendable private static func d1Session(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let body = try await request.json()
        guard let list = body["statements"]?.arrayValue else { throw PlaygroundError("\"statements\" must be an array") }
        let session = try env.d1("DB").withSession(body["bookmark"]?.stringValue)
        var results: [JSONValue] = []
        for item in list {
            guard let sql = item["sql"]?.stringValue else { throw PlaygroundError("\"sql\" must be a string") }
            let params = try (item["params"]?.arrayValue ?? []).map { try D1Value(json: $0) }
            results.append(try await session.prepare(sql).bind(params).all().jsonValue)
        }
        let bookmark = session.getBookmark()
        var response = Response.json(["results": results, "bookmark": bookmark])
        if let bookmark { response.headers.set("x-d1-bookmark", bookmark) }
        return response
    }

    // MARK: - Queues

    private static func message(_ object: JSONValue) throws -> MessageSendRequest {
        let contentType = object["contentType"]?.stringValue.map(QueueContentType.init(rawValue:))
        let body = object["body"] ?? .null
        let messageBody: MessageBody
        switch contentType {
        case .some(.text):
            messageBody = .text(body.stringValue ?? JSONSerializer.string(body))
        case .some(.bytes):
            messageBody = .bytes(Array((body.stringValue ?? JSONSerializer.string(body)).utf8))
        default:
            messageBody = .json(body)
        }
        return MessageSendRequest(body: messageBody, contentType: contentType, delaySeconds: try delaySeconds(in: object))
    }

    /// The optional integer `delaySeconds` of a send or batch body.
    private static func delaySeconds(in object: JSONValue) throws -> Int? {
        guard let value = object["delaySeconds"] else { return nil }
        guard let seconds = value.integerValue else { throw PlaygroundError("\"delaySeconds\" must be an integer") }
        return Int(seconds)
    }

    @Sendable private static func queueSend(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        try await env.queue("JOBS").send(try message(try await request.json()))
        return .json(["ok": true], status: 202)
    }

    @Sendable private static func queueBatch(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let body = try await request.json()
        guard let list = body["messages"]?.arrayValue else { throw PlaygroundError("\"messages\" must be an array") }
        try await env.queue("JOBS").sendBatch(try list.map(message), delaySeconds: try delaySeconds(in: body))
        return .json(["ok": true], status: 202)
    }

    // MARK: - Env

    @Sendable private static func environment(_ request: Request, _ env: Env, _ ctx: ExecutionContext) async throws -> Response {
        let hasToken = (try? env.secret("API_TOKEN")).map { !$0.isEmpty } ?? false
        return .json(["greeting": env.vars["GREETING"], "hasToken": hasToken])
    }

    // MARK: - Consumer and cron

    package func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        let database = try env.d1("DB")
        let now = env.clock.nowMilliseconds()
        let insert = database.prepare(
            "INSERT INTO deliveries (queue, msg, attempts, batch_size, at_ms) VALUES (?, ?, ?, ?, ?)"
        )
        _ = try await database.batch(
            batch.messages.map { message in
                insert.bind(batch.queue, Self.recordedText(of: message.body), message.attempts, batch.messages.count, now)
            }
        )
        for message in batch.messages {
            let action = message.body.json?["action"]?.stringValue ?? "ack"
            switch action {
            case "retry":
                message.retry()
            case "retry-all":
                batch.retryAll()
                return
            case "ack-all":
                batch.ackAll()
                return
            case "throw":
                throw PlaygroundError("message \(message.id) asked the consumer to throw")
            case "none":
                continue
            default:
                if action.hasPrefix("retry:"), let seconds = Int(action.dropFirst("retry:".count)) {
                    message.retry(delaySeconds: seconds)
                } else {
                    message.ack()
                }
            }
        }
    }

    /// The body as JSON text when it is JSON, else as text.
    private static func recordedText(of body: MessageBody) -> String {
        switch body {
        case .json(let value): JSONSerializer.string(value)
        case .text(let text): text
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        }
    }

    package func scheduled(_ controller: ScheduledController, env: Env, ctx: ExecutionContext) async throws {
        let milliseconds = Int64((controller.scheduledTime.timeIntervalSince1970 * 1000).rounded(.down))
        try await env.d1("DB").prepare("INSERT INTO cron_runs (cron, scheduled_ms) VALUES (?, ?)").bind(controller.cron, milliseconds).run()
    }
}

/// A request the playground cannot make sense of: answered 400 `{"error": message}`.
struct PlaygroundError: HTTPResponseError, CustomStringConvertible {
    var message: String
    var status: Int { 400 }
    init(_ message: String) { self.message = message }
    var description: String { message }
}
