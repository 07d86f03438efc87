import Drover
import DroverIntegrationKit

/// `POST /webhooks/shopify`: verify, de-duplicate, filter, enqueue, answer — no database work, so
/// the answer comes well inside Shopify's five seconds however busy the database is.
///
/// | request | answer |
/// |---|---|
/// | `X-Shopify-Hmac-Sha256` missing, not base64, or not the HMAC of the raw body | 401 |
/// | a body over 1 MiB | 413 |
/// | a signed body that is not JSON, or no `X-Shopify-Webhook-Id` / `X-Shopify-Topic` | 400 |
/// | a topic the app does not handle | 200 `{"ok": true, "ignored": true}`, logged, not queued |
/// | a webhook id seen in the last 48 hours | 200 `{"ok": true, "duplicate": true}`, not queued again |
/// | otherwise | queued on `SHOPIFY_EVENTS`, then 200 `{"ok": true}` |
///
/// The event is queued before its id is remembered (``WebhookQueue``): a crash between the two
/// loses nothing.
enum ShopifyWebhookReceiver {
    static func receive(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let verifier = try ShopifyWebhookVerifier(secret: env.secret("SHOPIFY_WEBHOOK_SECRET"))
        let body = try await request.verifiedWebhookBody(using: verifier, source: "shopify", ctx: ctx)

        guard let webhookID = request.headers["x-shopify-webhook-id"], TextRules.isDeliveryID(webhookID) else {
            throw HTTPError(400, "X-Shopify-Webhook-Id must be present: 1 to 128 letters, digits, '-', '_', '.' or ':'")
        }
        guard let topicName = request.headers["x-shopify-topic"], !topicName.isEmpty else {
            throw HTTPError(400, "X-Shopify-Topic must be present")
        }
        let payload: JSONValue
        do {
            payload = try JSONParser.parse(body)
        } catch {
            throw HTTPError(400, "the webhook body is not JSON: \(error)")
        }
        guard let topic = ShopifyTopic(rawValue: topicName) else {
            ctx.logger.info("shopify webhook \(webhookID): topic \(TextRules.printable(topicName)) ignored (not subscribed)")
            return .json(["ok": true, "ignored": true])
        }

        let event = ShopifyEvent(
            webhookID: webhookID, topic: topic, shop: request.headers["x-shopify-shop-domain"].map(TextRules.printable),
            receivedAt: env.clock.nowMilliseconds(), payload: payload)
        return try await WebhookQueue.enqueueOnce(
            event.json, on: "SHOPIFY_EVENTS", source: "shopify", deliveryID: webhookID, kind: topic.rawValue, env: env, ctx: ctx)
    }
}
