import Drover
import DroverIntegrationKit

/// The payment routes of the app (Docs/sample-app.md, "Payments").
enum Payments {
    /// The longest body of `POST /api/payments`.
    static let maxBodyBytes = 16 * 1024
    /// The largest amount accepted, in minor units (Stripe's own limit is 99,999,999).
    static let maxAmount: Int64 = 99_999_999

    static func install(on router: inout Router) {
        router.post("/api/payments", create)
        router.post("/webhooks/stripe", webhook)
    }

    /// `POST /api/payments` `{"amount": <minor units>, "currency": "<ISO 4217>"}` with an
    /// `Idempotency-Key`:
    ///
    /// | request | answer |
    /// |---|---|
    /// | no `Idempotency-Key` (or one over 255 bytes) | 400 |
    /// | a body that is not `{"amount": 1…99999999, "currency": three letters}` | 400 |
    /// | a key first seen | `POST {STRIPE_API_URL}/v1/payment_intents` with the same key, then 201 `{"id", "amount", "currency", "status"}` |
    /// | the key again, same amount and currency | the stored 201, `Idempotent-Replayed: true`, no upstream call |
    /// | the key again, another amount or currency | 422 |
    /// | the key while its first request is still running | waits for that answer (one upstream call) |
    /// | Stripe failing after the retries | 502, nothing stored: the same key may be tried again |
    ///
    /// The request is identified by its validated fields, not its bytes: `{"currency": "usd",
    /// "amount": 100}` is the same payment as `{"amount": 100, "currency": "USD"}`. The records
    /// live in `IDEMPOTENCY` for 24 hours, as Stripe keeps keys.
    @Sendable static func create(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        guard let key = request.headers["idempotency-key"], !key.isEmpty else { throw HTTPError(400, "the Idempotency-Key header is required") }
        guard key.utf8.count <= 255 else { throw HTTPError(400, "the Idempotency-Key header is longer than 255 bytes") }
        let bytes = try await request.boundedBody(limit: maxBodyBytes)
        guard let body = try? JSONParser.parse(bytes) else { throw HTTPError(400, "the body must be JSON: {\"amount\", \"currency\"}") }
        guard let amount = body["amount"]?.integerValue, (1...maxAmount).contains(amount) else {
            throw HTTPError(400, "amount must be a whole number of minor units from 1 to \(maxAmount)")
        }
        guard let currency = body["currency"]?.stringValue, currency.utf8.count == 3,
            currency.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20) })
        else { throw HTTPError(400, "currency must be a three-letter ISO 4217 code") }
        let normalized = currency.lowercased()

        let idempotency = Idempotency(
            store: try Integrations.stateStore(env, kv: "IDEMPOTENCY"), clock: env.clock, keyPrefix: "payments:", lockTimeout: .seconds(60),
            waitTimeout: .seconds(45))
        let fingerprint = Idempotency.fingerprint(method: "POST", path: "/api/payments", body: Array("amount=\(amount)&currency=\(normalized)".utf8))
        return try await idempotency.run(key: key, fingerprint: fingerprint) {
            let client = try Integrations.client(env: env, ctx: ctx)
            let intent = try await client.call(
                StripeAPI(),
                StripeAPI.PaymentIntentRequest(
                    baseURL: env.vars["STRIPE_API_URL"] ?? "", apiKey: try env.secret("STRIPE_API_KEY"), idempotencyKey: key, amount: amount,
                    currency: normalized))
            ctx.logger.info("payment intent \(intent.id) created for \(amount) \(normalized)")
            return Response.json(
                ["id": .string(intent.id), "amount": .integer(amount), "currency": .string(normalized), "status": intent.status.map(JSONValue.string)],
                status: 201)
        }
    }

    /// `POST /webhooks/stripe`: `Stripe-Signature: t=<unix>,v1=<hex>` checked by the kit's
    /// ``StripeWebhookVerifier`` — the HMAC-SHA256 of `t.body` under `STRIPE_WEBHOOK_SECRET`, `t`
    /// within 300 s of now, any one matching `v1` passing, other schemes ignored. 200
    /// `{"received": true}`, or 401.
    @Sendable static func webhook(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let verifier = try StripeWebhookVerifier(secret: env.secret("STRIPE_WEBHOOK_SECRET"), clock: env.clock)
        let body = try await request.verifiedWebhookBody(using: verifier, source: "stripe", ctx: ctx)
        let event = try? JSONParser.parse(body)
        let type = event?["type"]?.stringValue.map(TextRules.printable) ?? "unknown"
        let id = event?["id"]?.stringValue.map(TextRules.printable) ?? "unknown"
        ctx.logger.info("stripe event \(id) (\(type)) received")
        return .json(["received": true])
    }
}
