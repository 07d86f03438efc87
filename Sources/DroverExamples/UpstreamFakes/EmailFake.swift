import Drover

/// A local stand-in for an email provider's send API (Resend's shape): `POST /emails` (or
/// `POST /v1/send`, the path the sample app's config names) with a JSON message (`to` required). The bearer key must be one of the var `FAKE_EMAIL_API_KEYS`
/// (comma-separated; `re_local_example` by default) — so the sample app's key rotation can be watched by
/// listing only the new key — else 401. A repeated `Idempotency-Key` answers the first message's id
/// without sending again. Nothing is sent: each message is recorded, with its recipient and subject,
/// in `GET /__fakes/calls`.
enum EmailFake {
    static func install(on router: inout Router) {
        // Resend's path, and the one the sample app's config names.
        for path in ["/emails", "/v1/send"] {
            router.post(path) { request, env, _ in try await send(request, env) }
        }
    }

    static func send(_ request: Request, _ env: Env) async throws -> Response {
        try await FakeLedger.serve("email", request, env) {
            let keys = (env.vars["FAKE_EMAIL_API_KEYS"] ?? "re_local_example").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let key = request.bearerToken, keys.contains(key) else {
                return (Response.json(["name": "validation_error", "message": "API key is invalid"], status: 401), nil)
            }
            let message = try? await request.json()
            guard let to = message?["to"], to.stringValue != nil || to.arrayValue != nil else {
                return (Response.json(["name": "missing_required_field", "message": "Missing `to` field."], status: 422), nil)
            }
            let kv = try env.kv("FAKES")
            let detail: JSONValue = ["to": to, "subject": message?["subject"] ?? .null]
            if let idempotencyKey = request.headers["idempotency-key"] {
                if let id = try await kv.get("email:idempotency:" + idempotencyKey) {
                    return (Response.json(["id": .string(id)]), ["replayed": true, "to": to])
                }
                let id = Crypto.randomUUID()
                try await kv.put("email:idempotency:" + idempotencyKey, id, options: KVPutOptions(expirationTtl: 86_400))
                return (Response.json(["id": .string(id)]), detail)
            }
            return (Response.json(["id": .string(Crypto.randomUUID())]), detail)
        }
    }
}
