import Drover
import DroverIntegrationKit

/// What the app's handlers share within one process: the adapters of its upstreams and the
/// metrics their calls record (`GET /metrics`). Nothing here carries state between requests that
/// matters to their outcome — breakers, rate limits and idempotency records live in KV.
enum Integrations {
    static let metrics: IntegrationMetrics = {
        do { return try IntegrationMetrics() } catch { preconditionFailure("the integration metrics cannot be registered: \(error)") }
    }()

    static let adapters: AdapterRegistry = {
        do {
            return try AdapterRegistry([ShopifyAdminAPI(), EmailProvider(), StripeAPI(), OAuthTokenEndpoint()], metrics: metrics)
        } catch {
            preconditionFailure("the app's adapters cannot be registered: \(error)")
        }
    }()
}
