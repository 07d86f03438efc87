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
/// **Order of the writes.** The event is queued (durably) before its id is remembered in
/// `IDEMPOTENCY`. A crash between the two loses nothing: Shopify, having no answer, sends the
/// webhook again, it is queued a second time, and the consumer's writes are idempotent. The other
/// order would remember an id whose event was never queued, and drop Shopify's retry of it.
enum ShopifyWebhookReceiver {
    /// How long a webhook id is remembered: Shopify retries a webhook for up to 48 hours.
    static let deduplicationWindow: Int64 = 48 * 60 * 60

    static func receive(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let verifier = try ShopifyWebhookVerifier(secret: env.secret("SHOPIFY_WEBHOOK_SECRET"))
        let body = try await request.verifiedWebhookBody(using: verifier, source: "shopify", ctx: ctx)

        guard let webhookID = request.headers["x-shopify-webhook-id"], isWebhookID(webhookID) else {
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
            ctx.logger.info("shopify webhook \(webhookID): topic \(printable(topicName)) ignored (not subscribed)")
            return .json(["ok": true, "ignored": true])
        }

        let seen = try env.kv("IDEMPOTENCY")
        let key = "shopify:webhook:\(webhookID)"
        if try await seen.get(key) != nil {
            ctx.logger.info("shopify webhook \(webhookID) (\(topic.rawValue)): duplicate, not queued again")
            return .json(["ok": true, "duplicate": true])
        }
        let event = ShopifyEvent(
            webhookID: webhookID, topic: topic, shop: request.headers["x-shopify-shop-domain"].map(printable),
            receivedAt: env.clock.nowMilliseconds(), payload: payload)
        try await env.queue("SHOPIFY_EVENTS").send(json: event.json)
        try await seen.put(key, topic.rawValue, options: KVPutOptions(expirationTtl: deduplicationWindow))
        // The request line already says 200; the id is for following one webhook (debug level).
        ctx.logger.debug("shopify webhook \(webhookID) (\(topic.rawValue)) queued")
        return .json(["ok": true])
    }

    /// Shopify's webhook ids are UUIDs; anything of this shape is a usable KV key.
    static func isWebhookID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return (1...128).contains(bytes.count) && bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"):
                true
            default:
                false
            }
        }
    }

    /// A header value fit for a log line: at most 100 printable ASCII characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(100).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? $0 : "?" }))
    }
}
