import Drover
import DroverIntegrationKit

/// How the app's routes read what a client sent: bounded, and for webhooks verified before
/// anything else looks at it.
extension Request {
    /// The largest webhook body the app reads; the providers' are a few kilobytes.
    static let maxWebhookBytes = 1 << 20

    /// The body, at most `limit` bytes.
    /// - Throws: a 413 for a longer one.
    func boundedBody(limit: Int) async throws -> [UInt8] {
        do {
            return try await body.bytes(limit: limit)
        } catch is BodyError {
            throw HTTPError(413, "the body is larger than \(limit) bytes")
        }
    }

    /// The raw body of a webhook, once `verifier` has accepted its signature; a refusal is logged
    /// (with its reason, never a secret or a signature) and thrown on, a 401.
    func verifiedWebhookBody(using verifier: some WebhookVerifier, source: String, ctx: ExecutionContext) async throws -> [UInt8] {
        let bytes = try await boundedBody(limit: Self.maxWebhookBytes)
        do {
            try verifier.verify(body: bytes, headers: headers)
        } catch {
            ctx.logger.warning("\(source) webhook refused: \(error)")
            throw error
        }
        return bytes
    }
}
