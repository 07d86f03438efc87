import Drover
import DroverIntegrationKit

/// The email provider's send API (`POST {EMAIL_API_URL}`, Resend's shape) as an adapter of the kit
/// (`adapter_id="email"`).
///
/// One attempt per delivery: the `emails` queue does the retrying, with its delays, so a consumer
/// never sleeps through a backoff holding a batch. The breaker still counts every attempt, and
/// while it is open a delivery fails at once (and is retried later by the queue).
struct EmailProvider: IntegrationAdapter {
    /// One send.
    struct Send: Sendable {
        var url: String
        var apiKey: String
        var messageID: String
        var body: JSONValue
    }

    /// The provider's answer, whatever its status: the consumer decides what it means.
    struct Answer: Sendable {
        var status: Int
        var providerID: String?
        /// The provider's `Retry-After`, read by the consumer against `env.clock`.
        var retryAfter: String?
    }

    static let id = "email"
    var id: String { Self.id }
    let version = "1.0.0"
    var policies: AdapterPolicies { Self.policies }
    /// A wider window than the request-time upstreams': a queue's retries come in bursts.
    static let policies = AdapterPolicies(
        timeout: .seconds(10), retry: RetryPolicy(maxAttempts: 1),
        circuitBreaker: CircuitBreakerConfiguration(
            failureRateThreshold: 50, slidingWindow: .count(20), minimumNumberOfCalls: 10, waitDurationInOpenState: .seconds(60),
            permittedNumberOfCallsInHalfOpenState: 2))

    func validate(_ input: Send) -> [AdapterValidationIssue] {
        var issues: [AdapterValidationIssue] = []
        if !input.url.hasPrefix("https://") { issues.append(AdapterValidationIssue(field: "EMAIL_API_URL", message: "must be https")) }
        if input.apiKey.isEmpty { issues.append(AdapterValidationIssue(field: "EMAIL_API_KEY", message: "must be set")) }
        return issues
    }

    func execute(_ input: Send, context: AdapterContext) async throws -> Response {
        try await context.fetch(
            try Request(
                url: input.url, method: "POST",
                headers: [
                    "Authorization": "Bearer \(input.apiKey)", "Idempotency-Key": input.messageID, "Content-Type": "application/json",
                ],
                body: Body(bytes: JSONSerializer.bytes(input.body))))
    }

    func transform(_ response: Response) async throws -> Answer {
        let json = (200..<300).contains(response.status) ? try? await response.json() : nil
        return Answer(status: response.status, providerID: json?["id"]?.stringValue, retryAfter: response.headers["retry-after"])
    }
}
