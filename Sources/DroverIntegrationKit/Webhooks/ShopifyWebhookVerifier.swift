import Drover

/// Verifies Shopify's webhook signature: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of
/// the raw body under the app's client secret (Shopify, "Verify webhooks").
///
/// ```swift
/// let verifier = try ShopifyWebhookVerifier(secret: env.secret("SHOPIFY_WEBHOOK_SECRET"))
/// let body = try await request.verifiedBody(using: verifier)
/// ```
///
/// The refusals are those of Shopify's own library (`@shopify/shopify-api`, `validateHmac`), in
/// its order: an empty body (``WebhookSignatureError/Reason/missingBody``), no header
/// (``WebhookSignatureError/Reason/missingHeader``), a header that is not base64
/// (``WebhookSignatureError/Reason/invalidEncoding``), and a signature that does not match
/// (``WebhookSignatureError/Reason/noMatchingSignature``) — the decoded bytes compared in
/// constant time. Like that library, the `Shopify-Hmac-Sha256` header of Shopify's newer event
/// deliveries is read first when present. Shopify signs no timestamp, so replays are caught by
/// de-duplicating on `X-Shopify-Webhook-Id`, not here.
public struct ShopifyWebhookVerifier: WebhookVerifier {
    private let key: WebhookSigningKey

    /// A verifier for webhooks signed with `secret`, the app's client secret as Shopify shows it.
    /// - Throws: ``WebhookSignatureError`` ``WebhookSignatureError/Reason/invalidSecret`` when it
    ///   is empty or holds whitespace.
    public init(secret: String) throws(WebhookSignatureError) {
        key = try WebhookSigningKey(text: secret, scheme: "Shopify")
    }

    /// Returns when the Shopify HMAC header is the signature of `body`.
    /// - Throws: ``WebhookSignatureError``, as the type's documentation lists.
    public func verify(body: [UInt8], headers: Headers) throws(WebhookSignatureError) {
        guard !body.isEmpty else {
            throw WebhookSignatureError(.missingBody, "the body is empty; Shopify signs the body of every webhook")
        }
        guard
            let value = WebhookHeaderField.value("shopify-hmac-sha256", in: headers)
                ?? WebhookHeaderField.value("x-shopify-hmac-sha256", in: headers)
        else {
            throw WebhookSignatureError(.missingHeader, "no X-Shopify-Hmac-Sha256 header")
        }
        try WebhookHeaderField.checkLength(value, name: "X-Shopify-Hmac-Sha256")
        guard let signature = Base64.decode(value) else {
            throw WebhookSignatureError(.invalidEncoding, "X-Shopify-Hmac-Sha256 is not base64")
        }
        guard Crypto.timingSafeEqual(Crypto.hmacSHA256(key: key.bytes, data: body), signature) else {
            throw WebhookSignatureError(
                .noMatchingSignature,
                "X-Shopify-Hmac-Sha256 is not the HMAC of the body under the secret (another secret, or a body changed on the way)"
            )
        }
    }
}
