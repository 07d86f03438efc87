import Drover
import Foundation

/// The adapters of a worker, registered once: their ids (checked unique), their bulkheads (the
/// one piece of an adapter's policies that is per process: attempts in flight here), and the
/// metrics they record into. Make it once, as a `static let`, and ask it for an ``AdapterClient``
/// in each invocation, where the bindings are:
///
/// ```swift
/// enum Integrations {
///     static let metrics = try! IntegrationMetrics()
///     static let adapters = try! AdapterRegistry([OrderLookup(baseURL: "https://erp.example.com")], metrics: metrics)
/// }
///
/// router.get("/orders/:id") { request, env, ctx in
///     let client = try Integrations.adapters.client(env: env, ctx: ctx, state: "CACHE")
///     return .json(try await client.call(OrderLookup(baseURL: "https://erp.example.com"), request.param("id") ?? ""))
/// }
/// router.get("/health") { _, env, ctx in
///     await (try Integrations.adapters.client(env: env, ctx: ctx, state: "CACHE")).health().response()
/// }
/// ```
///
/// Everything else an adapter's calls share across invocations — breaker counts, bucket levels —
/// lives in the KV namespace the client is given, under the adapter's id, so it is the same in
/// every isolate and fresh in every replayed fixture.
public struct AdapterRegistry: Sendable {
    /// Where the adapters' calls are counted; render ``IntegrationMetrics/registry`` for `/metrics`.
    public let metrics: IntegrationMetrics
    private let entries: [Entry]

    private struct Entry: Sendable {
        let adapter: any IntegrationAdapter
        let bulkhead: Bulkhead?
    }

    /// Registers `adapters`, in order (the order of the health report).
    /// - Throws: ``AdapterRegistryError`` when two adapters share an id, an id is not 1 to 64
    ///   letters, digits, `-`, `_` or `.`, or a `maxConcurrentCalls` is below 1.
    public init(_ adapters: [any IntegrationAdapter], metrics: IntegrationMetrics) throws(AdapterRegistryError) {
        var seen: Set<String> = []
        var entries: [Entry] = []
        for adapter in adapters {
            let id = adapter.id
            guard Self.isValidID(id) else {
                throw AdapterRegistryError(description: "adapter id \"\(id)\" must be 1 to 64 letters, digits, '-', '_' or '.'")
            }
            guard seen.insert(id).inserted else {
                throw AdapterRegistryError(description: "two adapters have the id \"\(id)\"")
            }
            var bulkhead: Bulkhead?
            if let limit = adapter.policies.maxConcurrentCalls {
                guard limit >= 1 else {
                    throw AdapterRegistryError(description: "adapter \"\(id)\": maxConcurrentCalls must be at least 1, not \(limit)")
                }
                bulkhead = Bulkhead(name: id, maxConcurrentCalls: limit)
            }
            entries.append(Entry(adapter: adapter, bulkhead: bulkhead))
        }
        self.entries = entries
        self.metrics = metrics
    }

    /// The adapters' ids, in registration order.
    public var ids: [String] { entries.map(\.adapter.id) }

    /// A client for one invocation.
    /// - Parameters:
    ///   - fetcher: sends the upstream requests (`env.fetch`).
    ///   - state: where breakers and buckets live (a KV binding of the worker).
    ///   - clock: every policy's clock (`env.clock`).
    ///   - logger: the invocation's logger (`ctx.logger`).
    ///   - trace: forwarded on every request (`ctx.trace`).
    ///   - random: the retry jitter's random source (a seeded one makes the waits reproducible).
    public func client(
        fetcher: any Fetcher,
        state: any KVNamespace,
        clock: any WallClock,
        logger: Logger = .disabled,
        trace: TraceContext? = nil,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) -> AdapterClient {
        client(fetcher: fetcher, store: KVStateStore(kv: state, clock: clock), clock: clock, logger: logger, trace: trace, random: random)
    }

    /// A client for one invocation keeping breakers and buckets in `store` (KV or Durable Objects,
    /// see ``KitStateStore``); the other parameters are the KV form's.
    public func client(
        fetcher: any Fetcher,
        store: any KitStateStore,
        clock: any WallClock,
        logger: Logger = .disabled,
        trace: TraceContext? = nil,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) -> AdapterClient {
        AdapterClient(registry: self, fetcher: fetcher, state: store, clock: clock, logger: logger, trace: trace, random: random)
    }

    /// A client for the invocation of `env` and `ctx`, keeping its state in the binding named
    /// `state`: a KV namespace, or a Durable Object namespace of ``KitStateObject``
    /// (``Drover/Env/kitStateStore(_:)``).
    /// - Throws: the binding's error when the worker has no such binding.
    public func client(env: Env, ctx: ExecutionContext, state: String) throws -> AdapterClient {
        client(fetcher: env.fetch, store: try env.kitStateStore(state), clock: env.clock, logger: ctx.logger, trace: ctx.trace)
    }

    /// The registered adapter with `id` and its bulkhead.
    func entry(_ id: String) -> (adapter: any IntegrationAdapter, bulkhead: Bulkhead?)? {
        entries.first { $0.adapter.id == id }.map { ($0.adapter, $0.bulkhead) }
    }

    /// Every registered adapter and its bulkhead, in order.
    var registered: [(adapter: any IntegrationAdapter, bulkhead: Bulkhead?)] {
        entries.map { ($0.adapter, $0.bulkhead) }
    }

    private static func isValidID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        return (1...64).contains(bytes.count) && bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
    }
}

/// The adapters of an ``AdapterRegistry`` for one invocation: calls them, checks their health.
public struct AdapterClient: Sendable {
    private let registry: AdapterRegistry
    private let fetcher: any Fetcher
    private let state: any KitStateStore
    private let clock: any WallClock
    private let logger: Logger
    private let trace: TraceContext?
    private let random: any RandomNumberGenerator & Sendable

    init(
        registry: AdapterRegistry, fetcher: any Fetcher, state: any KitStateStore, clock: any WallClock, logger: Logger,
        trace: TraceContext?, random: any RandomNumberGenerator & Sendable
    ) {
        self.registry = registry
        self.fetcher = fetcher
        self.state = state
        self.clock = clock
        self.logger = logger
        self.trace = trace
        self.random = random
    }

    /// Calls `adapter` with `input`: ``IntegrationAdapter/validate(_:)``, then
    /// ``IntegrationAdapter/execute(_:context:)`` with a context that applies its policies, then
    /// ``IntegrationAdapter/transform(_:)``.
    /// - Throws: ``AdapterError/invalidInput(adapter:issues:)`` (nothing sent);
    ///   ``AdapterError/unknownAdapter(_:)`` when the registry has no adapter with its id; what
    ///   `execute` threw (the policies' refusals among them); what `transform` threw when it is an
    ///   ``HTTPResponseError``, any other error of `transform` (a body that does not decode) as
    ///   ``AdapterError/unreadableResponse(adapter:reason:)``, a 502.
    public func call<Adapter: IntegrationAdapter>(_ adapter: Adapter, _ input: Adapter.Input) async throws -> Adapter.Output {
        let context = try context(for: adapter.id)
        let issues = adapter.validate(input)
        guard issues.isEmpty else { throw AdapterError.invalidInput(adapter: adapter.id, issues: issues) }
        let response = try await adapter.execute(input, context: context)
        do {
            return try await adapter.transform(response)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            // A body that does not decode is the upstream's fault: a 502, not the worker's 500.
            throw AdapterError.unreadableResponse(adapter: adapter.id, reason: "\(error)")
        }
    }

    /// The context ``call(_:_:)`` gives the adapter with `id`, for a flow that sends its own
    /// requests (several pages, a token refresh) through the adapter's policies.
    /// - Throws: ``AdapterError/unknownAdapter(_:)``.
    public func context(for id: String) throws(AdapterError) -> AdapterContext {
        guard let (adapter, bulkhead) = registry.entry(id) else { throw .unknownAdapter(id) }
        return makeContext(adapter, bulkhead: bulkhead, probe: false)
    }

    private func makeContext(_ adapter: any IntegrationAdapter, bulkhead: Bulkhead?, probe: Bool) -> AdapterContext {
        AdapterContext(
            adapterID: adapter.id, clock: clock, logger: logger, trace: trace, policies: adapter.policies, fetcher: fetcher,
            state: state, metrics: registry.metrics, bulkhead: bulkhead, random: random, isProbe: probe)
    }

    /// Checks every adapter at once — its circuit breaker's state and its own probe, each within
    /// its ``AdapterPolicies/healthCheckTimeout`` — and sets each breaker's gauge (see
    /// ``HealthReport`` for how the verdicts combine).
    public func health() async -> HealthReport {
        let registered = registry.registered
        let checks = await withTaskGroup(of: (Int, HealthReport.Check).self) { group in
            for (index, (adapter, bulkhead)) in registered.enumerated() {
                group.addTask { (index, await check(adapter, bulkhead: bulkhead)) }
            }
            var checks: [(Int, HealthReport.Check)] = []
            for await check in group { checks.append(check) }
            return checks.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return HealthReport(checks: zip(registered, checks).map { ($0.adapter.id, $1) })
    }

    /// Sets `integration_circuit_breaker_state` of every adapter with a breaker from the state
    /// stored now — the gauge otherwise moves only with the transitions this process makes, so a
    /// `/metrics` handler calls this before rendering. A breaker whose state cannot be read is
    /// left as it was (and logged).
    public func refreshCircuitBreakerGauges() async {
        await withTaskGroup(of: Void.self) { group in
            for (adapter, bulkhead) in registry.registered where adapter.policies.circuitBreaker != nil {
                group.addTask { _ = await breakerState(adapter, bulkhead: bulkhead) }
            }
        }
    }

    /// The state of `adapter`'s breaker, its gauge set; nil without a breaker or when unreadable.
    private func breakerState(_ adapter: any IntegrationAdapter, bulkhead: Bulkhead?) async -> CircuitBreakerState? {
        guard let configuration = adapter.policies.circuitBreaker else { return nil }
        let context = makeContext(adapter, bulkhead: bulkhead, probe: false)
        do {
            let state = try await context.circuitBreaker(configuration).state()
            registry.metrics.recordBreakerState(adapterID: adapter.id, value: state.gaugeValue)
            return state
        } catch {
            logger.warning("adapter \(adapter.id): the circuit breaker's state could not be read: \(error)")
            return nil
        }
    }

    private func check(_ adapter: any IntegrationAdapter, bulkhead: Bulkhead?) async -> HealthReport.Check {
        let breaker = await breakerState(adapter, bulkhead: bulkhead)
        let probeContext = makeContext(adapter, bulkhead: bulkhead, probe: true)
        let started = clock.now()
        var status: HealthReport.Check.Status
        var message: String?
        do {
            let health = try await withTimeout(adapter.policies.healthCheckTimeout, clock: clock, name: "\(adapter.id) health check") {
                try await adapter.healthCheck(context: probeContext)
            }
            switch health.status {
            case .healthy: status = .pass
            case .degraded: status = .warn
            case .unhealthy: status = .fail
            }
            message = health.message
        } catch {
            status = .fail
            message = Self.describe(error)
        }
        let latency = clock.now().timeIntervalSince(started) * 1000
        switch breaker {
        case .open?:
            status = .fail
            message = "circuit breaker open"
        case .halfOpen?:
            status = max(status, .warn)
            if status == .warn { message = "circuit breaker half-open" }
        case .closed?, nil:
            break
        }
        return HealthReport.Check(
            status: status, version: adapter.version, circuitBreaker: breaker, latencyMilliseconds: latency, message: message)
    }

    /// A failed probe in words fit for a public health page: the kind of failure, never a URL or a
    /// body (an error's own description may hold either).
    private static func describe(_ error: any Error) -> String {
        switch error {
        case let error as ResilienceError: "health check \(error.code)"
        case let error as FetchError: "health check failed: \(error.kind == .invalidURL ? "invalid_url" : error.kind.rawValue)"
        case let error as any HTTPResponseError: "health check failed: \(error.status)"
        default: "health check failed"
        }
    }
}
