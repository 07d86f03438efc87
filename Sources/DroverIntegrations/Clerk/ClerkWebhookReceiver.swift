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
/// As for Shopify, the event is queued before its id is remembered (``WebhookQueue``), so a crash
/// between the two loses nothing.
enum ClerkWebhookReceiver {

    static func receive(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let verifier = try SvixWebhookVerifier(secret: env.secret("CLERK_WEBHOOK_SECRET"), clock: env.clock)
        let body = try await request.verifiedWebhookBody(using: verifier, source: "clerk", ctx: ctx)
        // The verifier has checked both: present, the id without a dot, the timestamp a number.
        let svixID = request.headers["svix-id"] ?? request.headers["webhook-id"] ?? ""
        let sentAt = Int64(request.headers["svix-timestamp"] ?? request.headers["webhook-timestamp"] ?? "") ?? 0
        guard TextRules.isDeliveryID(svixID) else {
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
            ctx.logger.info("clerk webhook \(svixID): type \(TextRules.printable(type)) ignored")
            return .json(["ok": true, "ignored": true])
        }
        let data = event["data"] ?? .null
        let occurredAt = event["timestamp"]?.integerValue ?? data["updated_at"]?.integerValue ?? sentAt.multipliedReportingOverflow(by: 1000).partialValue

        return try await WebhookQueue.enqueueOnce(
            ClerkUserEvent(svixID: svixID, kind: kind, occurredAt: occurredAt, data: data).json, on: "USER_SYNC", source: "clerk",
            deliveryID: svixID, kind: type, env: env, ctx: ctx)
    }
}
