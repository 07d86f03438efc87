import Drover

extension Request {
    /// Reads the whole body and verifies its webhook signature with `verifier`, so a handler
    /// checks and reads a webhook in one line:
    ///
    /// ```swift
    /// router.post("/webhooks/stripe") { request, env, ctx in
    ///     let body = try await request.verifiedBody(
    ///         using: StripeWebhookVerifier(secret: env.secret("STRIPE_WEBHOOK_SECRET"), clock: env.clock))
    ///     let event = try JSONParser.parse(body)
    ///     ...
    /// }
    /// ```
    ///
    /// The signature is checked against the bytes as received; parse the returned bytes rather
    /// than reading the body again.
    /// - Returns: the body's bytes, verified.
    /// - Throws: ``WebhookSignatureError`` when the signature is refused (answered 401 when thrown
    ///   on from a handler; 500 for an unusable secret); whatever reading the body throws.
    public func verifiedBody(using verifier: some WebhookVerifier) async throws -> [UInt8] {
        let body = try await bytes()
        try verifier.verify(body: body, headers: headers)
        return body
    }
}
