import Drover
import DroverIntegrationKit
import Synchronization

/// What the app's handlers share in memory: the adapters of its upstreams (their bulkheads) and
/// the metrics their calls record (`GET /metrics`).
///
/// On the platform that is an isolate's module state: it lives as long as the isolate and starts
/// empty in a new one. Here it lives as long as the worker's bindings — one set per `drover dev`
/// start or reload, per replayed fixture — so a fixture's `/metrics` counts that fixture's calls
/// only, and a reload starts from zero as a deploy does. Nothing in it decides an outcome:
/// breakers, rate limits and idempotency records live in bindings (``stateStore(_:kv:)``).
enum Integrations {
    /// The adapters of the app, in the order `/health` lists them.
    static let adapterList: [any IntegrationAdapter] = [ShopifyAdminAPI(), EmailProvider(), StripeAPI(), OAuthTokenEndpoint()]

    private static let perBindings = BindingScoped<AdapterRegistry> {
        do {
            return try AdapterRegistry(adapterList, metrics: try IntegrationMetrics())
        } catch {
            preconditionFailure("the app's adapters cannot be registered: \(error)")
        }
    }

    /// The adapters (and their metrics) of the bindings of `env`.
    static func adapters(_ env: Env) throws -> AdapterRegistry {
        try perBindings.value(for: env.kv("CACHE"))
    }

    /// A client of the adapters for one invocation, its breakers and buckets in
    /// ``stateStore(_:kv:)`` (`CACHE` without Durable Objects).
    static func client(env: Env, ctx: ExecutionContext) throws -> AdapterClient {
        try adapters(env).client(fetcher: env.fetch, store: stateStore(env, kv: "CACHE"), clock: env.clock, logger: ctx.logger, trace: ctx.trace)
    }

    /// The Durable Object namespace that holds the app's breakers, buckets and idempotency records
    /// when the config binds it (of the kit's `KitStateObject`): exact on the platform too.
    static let stateBinding = "KIT_STATE"

    /// Where the app keeps breakers, buckets and idempotency records: the Durable Objects bound as
    /// ``stateBinding`` when the config has them, otherwise the KV namespace `kv`. Every route
    /// answers the same with either; the docs say when each is right.
    static func stateStore(_ env: Env, kv: String) throws -> any KitStateStore {
        if let namespace = try? env.durableObjects(stateBinding) { return DurableObjectStateStore(namespace) }
        return KVStateStore(kv: try env.kv(kv), clock: env.clock)
    }
}

extension CircuitBreakerConfiguration {
    /// The breaker of the app's request-time upstreams (Shopify, Stripe, the OAuth provider):
    /// opens when half of the last 10 calls failed (at least 5 made), refuses for 30 s, then lets
    /// one trial call through.
    static let upstream = CircuitBreakerConfiguration(
        failureRateThreshold: 50, slidingWindow: .count(10), minimumNumberOfCalls: 5, waitDurationInOpenState: .seconds(30),
        permittedNumberOfCallsInHalfOpenState: 1)
}

/// A value per set of bindings, keyed by the identity of one of its KV namespace objects (held
/// weakly: a set whose namespace is gone takes its value with it at the next lookup).
final class BindingScoped<Value: Sendable>: Sendable {
    private let make: @Sendable () -> Value
    private let entries = Mutex<[(owner: NamespaceIdentity, value: Value)]>([])

    init(_ make: @escaping @Sendable () -> Value) {
        self.make = make
    }

    /// The value of `namespace`'s bindings, made on first use.
    func value(for namespace: any KVNamespace) -> Value {
        entries.withLock { entries in
            if let entry = entries.first(where: { $0.owner.refers(to: namespace) }) { return entry.value }
            entries.removeAll { $0.owner.isGone }
            let value = make()
            entries.append((NamespaceIdentity(namespace), value))
            return value
        }
    }
}
