import Drover

/// Checks that a webhook was signed by its sender: ``ShopifyWebhookVerifier``,
/// ``SvixWebhookVerifier`` (Svix and Standard Webhooks: Clerk, Resend, ...) and
/// ``StripeWebhookVerifier``.
///
/// A verifier is made per request from the secret binding and `env.clock`, and checks the body's
/// **raw bytes** — exactly as received, never JSON parsed and serialised again, which changes
/// them — with the request's headers. Signatures are compared in constant time
/// (``Crypto/timingSafeEqual(_:_:)``). ``Request/verifiedBody(using:)`` does both in one line.
public protocol WebhookVerifier: Sendable {
    /// Returns when `headers` carry a valid signature of `body`; throws otherwise.
    /// - Parameters:
    ///   - body: the request's body as received (`try await request.bytes()`).
    ///   - headers: the request's headers.
    /// - Throws: ``WebhookSignatureError`` naming the refusal; thrown on from a handler, it is
    ///   answered 401.
    func verify(body: [UInt8], headers: Headers) throws(WebhookSignatureError)
}
