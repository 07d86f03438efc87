import Drover

struct Hello: Worker {
    func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let kv = try env.kv("KV")
        let visits = (try await kv.get("visits", as: Int.self) ?? 0) + 1
        try await kv.put("visits", String(visits))
        ctx.waitUntil { try await env.queue("JOBS").send(json: ["visit": visits]) }
        return .json(["hello": env.vars["GREETING"] ?? "world", "visits": visits])
    }

    func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        for message in batch.messages {
            guard message.body.json?["visit"] != nil else {
                message.retry(delaySeconds: 30)
                continue
            }
            ctx.logger.info("got \(message.body)")
            message.ack()
        }
    }
}
