import Drover

/// A verified webhook as the receiver queues it on `SHOPIFY_EVENTS` and the consumer reads it back:
///
/// ```json
/// {"webhookId": "b54557e4-…", "topic": "orders/create", "shop": "example-shop.myshopify.com",
///  "receivedAt": 1767225600000, "payload": {…}}
/// ```
///
/// The payload travels as the JSON Shopify sent; the signature was checked on its raw bytes before
/// it was parsed, and nothing downstream needs those bytes again.
struct ShopifyEvent: Sendable {
    /// `X-Shopify-Webhook-Id`: one per event, the same on each of Shopify's retries.
    let webhookID: String
    let topic: ShopifyTopic
    /// `X-Shopify-Shop-Domain`, when sent.
    let shop: String?
    /// When the receiver accepted it, in milliseconds since 1970 on `env.clock`.
    let receivedAt: Int64
    let payload: JSONValue

    init(webhookID: String, topic: ShopifyTopic, shop: String?, receivedAt: Int64, payload: JSONValue) {
        self.webhookID = webhookID
        self.topic = topic
        self.shop = shop
        self.receivedAt = receivedAt
        self.payload = payload
    }

    /// The event in a queued message's body.
    /// - Throws: ``ShopifyEventError`` when the body is not an event this app queued.
    init(_ body: MessageBody) throws(ShopifyEventError) {
        guard let json = body.json, let webhookID = json["webhookId"]?.stringValue, let name = json["topic"]?.stringValue,
            let payload = json["payload"]
        else { throw ShopifyEventError(description: "the message is not a queued Shopify event") }
        guard let topic = ShopifyTopic(rawValue: name) else {
            throw ShopifyEventError(description: "the queued event has the unsupported topic \"\(name)\"")
        }
        self.init(
            webhookID: webhookID, topic: topic, shop: json["shop"]?.stringValue, receivedAt: json["receivedAt"]?.integerValue ?? 0,
            payload: payload)
    }

    /// The message body to queue.
    var json: JSONValue {
        [
            "webhookId": .string(webhookID), "topic": .string(topic.rawValue), "shop": shop.map(JSONValue.string),
            "receivedAt": .integer(receivedAt), "payload": payload,
        ]
    }
}

/// A queued message that is not a Shopify event: retried, then dead-lettered like any poison
/// message.
struct ShopifyEventError: Error, CustomStringConvertible {
    let description: String
}
