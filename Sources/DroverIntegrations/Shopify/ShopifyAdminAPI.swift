import Drover
import DroverIntegrationKit

/// The Shopify Admin REST API as an adapter of the integration kit: every call the app makes to
/// the shop goes through ``AdapterClient/call(_:_:)`` with the policies below, is counted in the
/// `integration_*` metrics under `adapter_id="shopify"`, and carries the request's trace.
///
/// | policy | setting | why |
/// |---|---|---|
/// | rate limit | leaky bucket, 40 calls leaking 2 a second, refilled from `X-Shopify-Shop-Api-Call-Limit`; waits up to 5 s for room | Shopify's REST limit on a standard plan |
/// | timeout | 10 s per attempt | |
/// | retry | 4 attempts, backoff from 500 ms doubling to 8 s with full jitter, a 429's `Retry-After` waited out (up to 30 s), 60 s in all | transient failures: 429, 5xx, timeouts, lost connections |
/// | circuit breaker | opens when half of the last 10 attempts failed (at least 5 made), refuses for 30 s, then lets 1 trial through | stop hammering a shop that is down |
/// | bulkhead | 4 attempts in flight per process | a burst of pushes must not take every connection |
///
/// Breaker and bucket state live in `CACHE` under the id `shopify`, shared by every request,
/// the consumer and the cron run.
struct ShopifyAdminAPI: IntegrationAdapter {
    /// One call: a method and a URL on the shop's Admin API, an optional JSON body.
    struct Call: Sendable {
        var shop: ShopifyShop
        var method: String
        var url: String
        var body: JSONValue?
    }

    /// A 2xx answer: its JSON, and the next page when a `Link: <…>; rel="next"` names one on the
    /// same shop.
    struct Answer: Sendable {
        var json: JSONValue
        var nextPage: String?
    }

    static let id = "shopify"

    var id: String { Self.id }
    let version = "1.0.0"
    var policies: AdapterPolicies { Self.policies }

    static let policies = AdapterPolicies(
        timeout: .seconds(10),
        retry: RetryPolicy(
            maxAttempts: 4, baseDelay: .milliseconds(500), maxDelay: .seconds(8), maxDuration: .seconds(60), maxRetryAfter: .seconds(30)),
        circuitBreaker: .upstream,
        rateLimit: .shopifyREST,
        maxConcurrentCalls: 4)

    func validate(_ call: Call) -> [AdapterValidationIssue] {
        call.shop.isAdminURL(call.url) ? [] : [AdapterValidationIssue(field: "url", message: "not on the shop's Admin API")]
    }

    func execute(_ call: Call, context: AdapterContext) async throws -> Response {
        var headers: Headers = ["X-Shopify-Access-Token": call.shop.accessToken, "Accept": "application/json"]
        var body = Body.empty
        if let json = call.body {
            headers.set("Content-Type", "application/json")
            body = Body(bytes: JSONSerializer.bytes(json))
        }
        return try await context.fetch(try Request(url: call.url, method: call.method, headers: headers, body: body))
    }

    /// The answer of a 2xx; ``AdapterError/unexpectedStatus(adapter:status:)`` (a 502) for any
    /// other status — a 429 or 5xx that outlived every retry among them.
    func transform(_ response: Response) async throws -> Answer {
        guard (200..<300).contains(response.status) else { throw AdapterError.unexpectedStatus(adapter: id, status: response.status) }
        return Answer(json: try await response.json(), nextPage: ShopifyLinkHeader.next(in: response.headers.values(for: "link")))
    }

    /// The breaker the adapter's calls go through, for its status page.
    static func circuitBreaker(env: Env) throws -> CircuitBreaker {
        CircuitBreaker(name: id, configuration: .upstream, store: try Integrations.stateStore(env, kv: "CACHE"), clock: env.clock)
    }
}
