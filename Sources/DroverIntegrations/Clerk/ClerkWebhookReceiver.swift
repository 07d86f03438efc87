import Drover
import DroverIntegrationKit

/// `POST /webhooks/clerk`: Clerk's user events, signed the Svix way, verified and queued on
/// `USER_SYNC` — the database work is the `user-sync` consumer's.
///
/// | request | answer |
/// |---|---|
/// | `svix-id`, `svix-timestamp` or `svix-signature` missing; the timestamp more than 5 minutes from now either way; no `v1,<base64>` entry that is the HMAC-SHA256 of `id.timestamp.body` under the key in `CLERK_WEBHOOK_SECRET` (`whsec_<base64>`) | 401 |
/// | a body over 1 MiB | 413 |
/// | a signed body that is not a JSON event with a `type` | 400 |
/// | a type other than `user.created`, `user.updated`, `user.deleted` | 200 `{"ok": true, "ignored": true}` |
/// | an `svix-id` seen in the last 48 hours | 200 `{"ok": true, "duplicate": true}` |
/// | otherwise | queued on `USER_SYNC`, 200 `{"ok": true}` |
///
/// As for Shopify, the event is queued before its id is remembered, so a crash between the two
/// loses nothing (Svix retries; the consumer's writes are idempotent).
enum ClerkWebhookReceiver {
    static let deduplicationWindow: Int64 = 48 * 60 * 60

    static func receive(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let verifier = try SvixWebhookVerifier(secret: env.secret("CLERK_WEBHOOK_SECRET"), clock: env.clock)
        let body = try await request.verifiedWebhookBody(using: verifier, source: "clerk", ctx: ctx)
        // The verifier has checked both: present, the id without a dot, the timestamp a number.
        let svixID = request.headers["svix-id"] ?? request.headers["webhook-id"] ?? ""
        let sentAt = Int64(request.headers["svix-timestamp"] ?? request.headers["webhook-timestamp"] ?? "") ?? 0
        guard ShopifyWebhookReceiver.isWebhookID(svixID) else {
            throw HTTPError(400, "svix-id must be 1 to 128 letters, digits, '-', '_' or ':'")
        }
        let event: JSONValue
        do {
            event = try JSONParser.parse(body)
        } catch {
            throw HTTPError(400, "the webhook body is not JSON: \(error)")
        }
        guard let type = event["type"]?.stringValue else { throw HTTPError(400, "the webhook body has no \"type\"") }
        guard let kind = ClerkUserEvent.Kind(rawValue: type) else {
            ctx.logger.info("clerk webhook \(svixID): type \(ShopifyWebhookReceiver.printable(type)) ignored")
            return .json(["ok": true, "ignored": true])
        }
        let data = event["data"] ?? .null
        let occurredAt = event["timestamp"]?.integerValue ?? data["updated_at"]?.integerValue ?? sentAt.multipliedReportingOverflow(by: 1000).partialValue

        let seen = try env.kv("IDEMPOTENCY")
        let key = "clerk:webhook:\(svixID)"
        if try await seen.get(key) != nil {
            ctx.logger.info("clerk webhook \(svixID) (\(type)): duplicate, not queued again")
            return .json(["ok": true, "duplicate": true])
        }
        try await env.queue("USER_SYNC").send(json: ClerkUserEvent(svixID: svixID, kind: kind, occurredAt: occurredAt, data: data).json)
        try await seen.put(key, type, options: KVPutOptions(expirationTtl: deduplicationWindow))
        ctx.logger.info("clerk webhook \(svixID) (\(type)) queued")
        return .json(["ok": true])
    }
}
