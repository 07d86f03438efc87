import Drover
import DroverIntegrationKit

/// Stripe's payment intents API as an adapter of the integration kit (`adapter_id="stripe"`).
///
/// Every attempt carries the caller's `Idempotency-Key`, so Stripe itself makes a retried
/// creation a replay, never a second payment intent: retrying a timeout or a 5xx is safe.
///
/// | policy | setting |
/// |---|---|
/// | timeout | 15 s per attempt |
/// | retry | 3 attempts, backoff from 500 ms (full jitter), `Retry-After` honoured, 30 s in all |
/// | circuit breaker | opens when half of the last 10 calls failed (at least 5), 30 s open, 1 trial call |
struct StripeAPI: IntegrationAdapter {
    /// A payment intent to create.
    struct PaymentIntentRequest: Sendable {
        var baseURL: String
        var apiKey: String
        var idempotencyKey: String
        var amount: Int64
        var currency: String
    }

    /// The payment intent Stripe created (or replayed).
    struct PaymentIntent: Sendable {
        var id: String
        var status: String?
    }

    static let id = "stripe"
    var id: String { Self.id }
    let version = "1.0.0"
    var policies: AdapterPolicies { Self.policies }
    static let policies = AdapterPolicies(
        timeout: .seconds(15),
        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(500), maxDelay: .seconds(8), maxDuration: .seconds(30)),
        circuitBreaker: .upstream)

    func validate(_ input: PaymentIntentRequest) -> [AdapterValidationIssue] {
        var issues: [AdapterValidationIssue] = []
        if !input.baseURL.hasPrefix("https://") { issues.append(AdapterValidationIssue(field: "STRIPE_API_URL", message: "must be https")) }
        if input.apiKey.isEmpty { issues.append(AdapterValidationIssue(field: "STRIPE_API_KEY", message: "must be set")) }
        return issues
    }

    func execute(_ input: PaymentIntentRequest, context: AdapterContext) async throws -> Response {
        // Stripe takes form fields, not JSON.
        let form = "amount=\(input.amount)&currency=\(input.currency)"
        return try await context.fetch(
            try Request(
                url: input.baseURL + "/v1/payment_intents", method: "POST",
                headers: [
                    "Authorization": "Bearer \(input.apiKey)", "Idempotency-Key": input.idempotencyKey,
                    "Content-Type": "application/x-www-form-urlencoded",
                ],
                body: Body(text: form)))
    }

    func transform(_ response: Response) async throws -> PaymentIntent {
        guard response.status == 200 else { throw AdapterError.unexpectedStatus(adapter: id, status: response.status) }
        let json = try await response.json()
        guard let id = json["id"]?.stringValue, id.hasPrefix("pi_") else {
            throw AdapterError.unreadableResponse(adapter: Self.id, reason: "no payment intent id in the answer")
        }
        return PaymentIntent(id: id, status: json["status"]?.stringValue)
    }
}
