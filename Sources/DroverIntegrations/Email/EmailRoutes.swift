import Drover
import DroverIntegrationKit

/// The email routes and consumers of the app (Docs/sample-app.md, "Email").
enum Email {
    static let maxBodyBytes = 64 * 1024
    /// How long an `idempotencyKey` names its message.
    static let idempotencyWindow: Int64 = 24 * 60 * 60

    static func install(on router: inout Router, queues: inout QueueRouter) {
        router.post("/api/email", enqueue)
        router.get("/api/email/dlq", listDeadLetters)
        router.post("/api/email/dlq/replay", replayDeadLetters)
        queues.on("emails", EmailConsumer.consume)
        queues.on("emails-dlq", EmailConsumer.consumeDeadLetters)
    }

    /// `POST /api/email` `{"to", "template", "data"?, "idempotencyKey"?}`:
    ///
    /// | request | answer |
    /// |---|---|
    /// | not JSON; `to` not a plain address; `template` not a name; `data` not an object | 400 |
    /// | no `template:<name>` in `TEMPLATES` | 400 |
    /// | an `idempotencyKey` used in the last 24 hours | 202 with the first request's id, not queued again |
    /// | otherwise | queued on `EMAILS`, 202 `{"id": "em_…"}` |
    @Sendable static func enqueue(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let bytes = try await request.boundedBody(limit: maxBodyBytes)
        guard let body = try? JSONParser.parse(bytes), body.objectValue != nil else {
            throw HTTPError(400, "the body must be a JSON object: {\"to\", \"template\", \"data\", \"idempotencyKey\"}")
        }
        guard let to = body["to"]?.stringValue, EmailMessage.isAddress(to) else { throw HTTPError(400, "to must be an email address") }
        guard let template = body["template"]?.stringValue, EmailMessage.isTemplateName(template) else {
            throw HTTPError(400, "template must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        let data = body["data"] ?? [:]
        guard data.objectValue != nil else { throw HTTPError(400, "data must be an object") }
        var idempotencyKey: String?
        if let key = body["idempotencyKey"], !key.isNull {
            guard let text = key.stringValue, (1...255).contains(text.utf8.count) else { throw HTTPError(400, "idempotencyKey must be 1 to 255 bytes of text") }
            idempotencyKey = text
        }
        guard try await env.kv("TEMPLATES").get("template:\(template)") != nil else {
            throw HTTPError(400, "unknown template \(template)")
        }

        let email = EmailMessage(id: EmailMessage.makeID(idempotencyKey: idempotencyKey), to: to, template: template, data: data)
        let seen = try env.kv("IDEMPOTENCY")
        if let idempotencyKey {
            if try await seen.get("email:\(idempotencyKey)") != nil {
                return .json(["id": .string(email.id)], status: 202, headers: ["Idempotent-Replayed": "true"])
            }
        }
        try await env.queue("EMAILS").send(json: email.json)
        if let idempotencyKey {
            try await seen.put("email:\(idempotencyKey)", email.id, options: KVPutOptions(expirationTtl: idempotencyWindow))
        }
        ctx.logger.info("email \(email.id) (template \(template)) queued")
        return .json(["id": .string(email.id)], status: 202)
    }

    /// `GET /api/email/dlq`: `{"deadLetters": [{"id", "to", "template", "deadAt", "lastError"}]}`,
    /// the ones not replayed yet, oldest first (at most 100).
    @Sendable static func listDeadLetters(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let letters = try await EmailLog(database: try env.d1("DB"), clock: env.clock).deadLetters()
        return .json([
            "deadLetters": .array(
                letters.map { letter in
                    [
                        "id": .string(letter.email.id), "to": .string(letter.email.to), "template": .string(letter.email.template),
                        "deadAt": .string(letter.deadAt), "lastError": letter.lastError.map(JSONValue.string),
                    ]
                })
        ])
    }

    /// `POST /api/email/dlq/replay`: puts every dead letter not replayed yet back on `EMAILS` (with
    /// its id, so the provider's idempotency still holds) and answers `{"replayed": N}`.
    @Sendable static func replayDeadLetters(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let log = EmailLog(database: try env.d1("DB"), clock: env.clock)
        let queue = try env.queue("EMAILS")
        var replayed = 0
        while true {
            let letters = try await log.deadLetters(limit: 100)
            guard !letters.isEmpty else { break }
            try await queue.sendBatch(letters.map { MessageSendRequest(body: .json($0.email.json)) })
            try await log.markReplayed(letters.map(\.email.id))
            replayed += letters.count
        }
        ctx.logger.info("email dead letters replayed: \(replayed)")
        return .json(["replayed": .integer(Int64(replayed))])
    }
}
