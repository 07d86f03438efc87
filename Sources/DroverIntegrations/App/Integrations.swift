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
/// breakers, rate limits and idempotency records live in KV.
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

    /// A client of the adapters for one invocation, its state in `CACHE`.
    static func client(env: Env, ctx: ExecutionContext) throws -> AdapterClient {
        try adapters(env).client(env: env, ctx: ctx, state: "CACHE")
    }
}

/// A value per set of bindings, keyed by the identity of one of its KV namespace objects (held
/// weakly: a namespace that is gone takes its value with it at the next lookup).
final class BindingScoped<Value: Sendable>: Sendable {
    private let make: @Sendable () -> Value
    private let entries = Mutex<[(owner: WeakNamespace, value: Value)]>([])

    init(_ make: @escaping @Sendable () -> Value) {
        self.make = make
    }

    /// The value of `namespace`'s bindings, made on first use.
    func value(for namespace: any KVNamespace) -> Value {
        entries.withLock { entries in
            entries.removeAll { !$0.owner.isAlive }
            if let entry = entries.first(where: { $0.owner.refers(to: namespace) }) { return entry.value }
            let value = make()
            entries.append((WeakNamespace(namespace), value))
            return value
        }
    }
}

/// A KV namespace object, compared by identity only.
final class WeakNamespace: @unchecked Sendable {
    // Unchecked: the reference is only compared with `===` under the owner's lock, never used.
    private weak var object: AnyObject?

    init(_ namespace: any KVNamespace) {
        object = type(of: namespace) is AnyClass ? namespace as AnyObject : nil
    }

    var isAlive: Bool { object != nil }

    func refers(to namespace: any KVNamespace) -> Bool {
        guard let object, type(of: namespace) is AnyClass else { return false }
        return object === (namespace as AnyObject)
    }
}
