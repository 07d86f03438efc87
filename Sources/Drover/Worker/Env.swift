import Foundation

/// The bindings a worker gets, by the names in the config (`env.kv("SESSIONS")`,
/// `env.d1("DB")`, `env.queue("EMAILS")`, `env.durableObjects("COUNTER")`, `env.secret("API_KEY")`,
/// `env.vars["API_VERSION"]`).
///
/// A missing binding is a ``WorkerError`` naming the binding and the config file.
public struct Env: Sendable {
    /// A configured binding.
    package enum Binding: Sendable {
        case kv(any KVNamespace)
        case d1(any D1Database)
        case queue(any Queue)
        case service(any Fetcher)
        case durableObjects(any DurableObjectNamespace)
        case secret(String)
        /// A binding the config declares with a key Drover does not emulate: `kind` says what it is
        /// on the platform ("R2 bucket"), `section` where it was declared (`[[r2_buckets]]`).
        case notEmulated(kind: String, section: String)

        var kindName: String {
            switch self {
            case .kv: "KV namespace"
            case .d1: "D1 database"
            case .queue: "queue"
            case .service: "service"
            case .durableObjects: "Durable Object namespace"
            case .secret: "secret"
            case .notEmulated(let kind, _): kind
            }
        }
    }

    private var bindings: [String: Binding]
    /// The `[vars]` of the config.
    public var vars: Vars
    /// Outbound HTTP (`fetch()` in a worker): the network in `dev`, recorded upstreams in replay.
    public var fetch: any Fetcher
    /// The clock: real in `dev`, frozen in replay and `TestClient`. Read it instead of `Date()`, and wait
    /// with `clock.sleep(for:)` (the platform's `scheduler.wait`) instead of `Task.sleep`.
    public var clock: any WallClock
    /// The config file named in errors about missing bindings.
    public var configFile: String
    /// Called with a secret's name whenever a handler reads it (recording lists them).
    package var onSecretRead: (@Sendable (String) -> Void)?

    /// Creates an environment.
    package init(
        bindings: [String: Binding] = [:],
        vars: Vars = Vars(),
        fetch: any Fetcher,
        clock: any WallClock = SystemWallClock(),
        configFile: String = "wrangler-like.toml"
    ) {
        self.bindings = bindings
        self.vars = vars
        self.fetch = fetch
        self.clock = clock
        self.configFile = configFile
    }

    /// The clock's current instant.
    public var now: Date { clock.now() }

    /// The names of every binding, sorted.
    public var bindingNames: [String] { bindings.keys.sorted() }

    /// The binding named `name`, whatever its kind.
    package func binding(_ name: String) -> Binding? { bindings[name] }

    /// Adds or replaces a binding.
    package mutating func setBinding(_ name: String, _ binding: Binding) {
        bindings[name] = binding
    }

    /// The KV namespace bound as `name`.
    public func kv(_ name: String) throws -> any KVNamespace {
        if case .kv(let namespace) = try lookup(name, kind: "KV namespace") { return namespace }
        throw kindError(name, expected: "KV namespace")
    }

    /// The D1 database bound as `name`.
    public func d1(_ name: String) throws -> any D1Database {
        if case .d1(let database) = try lookup(name, kind: "D1 database") { return database }
        throw kindError(name, expected: "D1 database")
    }

    /// The queue producer bound as `name`.
    public func queue(_ name: String) throws -> any Queue {
        if case .queue(let queue) = try lookup(name, kind: "queue") { return queue }
        throw kindError(name, expected: "queue")
    }

    /// The service binding `name`: another worker, called in-process.
    public func service(_ name: String) throws -> any Fetcher {
        if case .service(let service) = try lookup(name, kind: "service") { return service }
        throw kindError(name, expected: "service")
    }

    /// The Durable Object namespace bound as `name` (`[[durable_objects.bindings]]`).
    public func durableObjects(_ name: String) throws -> any DurableObjectNamespace {
        if case .durableObjects(let namespace) = try lookup(name, kind: "Durable Object namespace") { return namespace }
        throw kindError(name, expected: "Durable Object namespace")
    }

    /// The secret bound as `name` (from `.dev.vars` or `drover secret put`).
    public func secret(_ name: String) throws -> String {
        if case .secret(let value) = try lookup(name, kind: "secret", missing: .secretMissing(name, configFile: configFile)) {
            onSecretRead?(name)
            return value
        }
        throw kindError(name, expected: "secret")
    }

    /// The binding named `name`; `missing` (by default: declare it in the config) when there is none.
    private func lookup(_ name: String, kind: String, missing: @autoclosure () -> WorkerError? = nil) throws -> Binding {
        guard let binding = bindings[name] else {
            throw missing() ?? WorkerError.bindingMissing(name, kind: kind, configFile: configFile)
        }
        if case .notEmulated(let declared, let section) = binding {
            throw WorkerError.bindingNotEmulated(name, kind: declared, section: section, configFile: configFile)
        }
        return binding
    }

    private func kindError(_ name: String, expected: String) -> WorkerError {
        WorkerError.bindingKind(name, expected: expected, actual: bindings[name]?.kindName ?? "nothing", configFile: configFile)
    }
}
