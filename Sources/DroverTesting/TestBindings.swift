import Drover
import DroverConfig
import Foundation

/// The bindings of a worker under test, declared in Swift instead of a config file:
///
/// ```swift
/// let client = try await TestClient(worker: Hello()) { bindings in
///     bindings.kv("KV")
///     bindings.queue("JOBS", queue: "jobs")
///     bindings.consumer(queue: "jobs", maxRetries: 2, deadLetterQueue: "jobs-dlq")
///     bindings.d1("DB", schema: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
///     bindings.var("GREETING", "hello")
///     bindings.secret("API_TOKEN", "test-token")
/// }
/// ```
///
/// They mean what the same lines of `wrangler-like.toml` mean, with the same defaults.
public struct TestBindings: Sendable {
    var kvNamespaces: [KVNamespaceConfig] = []
    var d1Databases: [D1DatabaseConfig] = []
    var schemas: [(binding: String, sql: String)] = []
    var producers: [QueueProducerConfig] = []
    var consumers: [QueueConsumerConfig] = []
    var crons: [CronExpression] = []
    var vars: [String: JSONValue] = [:]
    var secrets: [String: String] = [:]

    init() {}

    /// A KV namespace bound as `binding` (`[[kv_namespaces]]`).
    public mutating func kv(_ binding: String) {
        kvNamespaces.append(KVNamespaceConfig(binding: binding))
    }

    /// A D1 database bound as `binding` (`[[d1_databases]]`), with the migrations of `migrations`
    /// (a folder of `.sql` files, applied in order as `drover dev` applies them) and then `schema`
    /// (SQL statements run with `exec`), each when given.
    public mutating func d1(_ binding: String, migrations: String? = nil, schema: String? = nil) {
        // Without a folder, one that cannot exist (a path under a file), so none is applied.
        d1Databases.append(D1DatabaseConfig(binding: binding, migrationsDir: migrations ?? "/dev/null/no-migrations"))
        if let schema { schemas.append((binding, schema)) }
    }

    /// A queue producer bound as `binding`, sending to `queue` (default: the binding's name),
    /// messages delayed by `deliveryDelay` seconds (`[[queues.producers]]`).
    public mutating func queue(_ binding: String, queue: String? = nil, deliveryDelay: Int = 0) {
        producers.append(QueueProducerConfig(binding: binding, queue: queue ?? binding, deliveryDelay: deliveryDelay))
    }

    /// A consumer of `queue` with the platform's defaults unless given (`[[queues.consumers]]`:
    /// batches of 10, 3 retries, no dead-letter queue, no retry delay).
    public mutating func consumer(
        queue: String,
        maxBatchSize: Int? = nil,
        maxRetries: Int? = nil,
        deadLetterQueue: String? = nil,
        retryDelay: Int? = nil
    ) {
        var consumer = QueueConsumerConfig(queue: queue, deadLetterQueue: deadLetterQueue, retryDelay: retryDelay)
        if let maxBatchSize { consumer.maxBatchSize = maxBatchSize }
        if let maxRetries { consumer.maxRetries = maxRetries }
        consumers.append(consumer)
    }

    /// A cron trigger (`[triggers] crons`), read as Cloudflare reads it.
    /// - Throws: the expression's parse error.
    public mutating func cron(_ expression: String) throws {
        crons.append(try CronExpression(expression))
    }

    /// A var (`[vars]`): text, a number, a boolean or JSON.
    public mutating func `var`(_ name: String, _ value: JSONValue) {
        vars[name] = value
    }

    /// A secret binding (what `.dev.vars` or `drover secret put` gives).
    public mutating func secret(_ name: String, _ value: String) {
        secrets[name] = value
    }

    /// The config these lines stand for.
    func config(name: String) -> DroverConfig {
        DroverConfig(
            configPath: "the TestClient's bindings",
            configDirectory: "/",
            name: name,
            main: name,
            kvNamespaces: kvNamespaces,
            d1Databases: d1Databases,
            queues: QueuesConfig(producers: producers, consumers: consumers),
            triggers: TriggersConfig(crons: crons)
        )
    }
}

extension TestClient {
    /// Opens bindings declared in Swift for `worker`: no config file is read and nothing outside a
    /// temporary state folder is written.
    /// - Parameters:
    ///   - now: where the frozen clock starts.
    ///   - fetch: outbound fetch; by default every call fails, so a test never reaches the network.
    ///   - logSink: where the runtime's and the worker's log lines go.
    ///   - declare: declares the bindings (see ``TestBindings``).
    /// - Throws: a binding that cannot be opened, a `schema` that fails, or a requirement of the
    ///   worker the bindings do not meet.
    public convenience init(
        worker: any Worker,
        now: Date = Date(timeIntervalSince1970: 1_767_225_600),
        fetch: (any Fetcher)? = nil,
        logSink: any LogSink = DiscardingLogSink(),
        bindings declare: (inout TestBindings) throws -> Void
    ) async throws {
        var bindings = TestBindings()
        try declare(&bindings)
        try await self.init(
            worker: worker,
            resolved: bindings.config(name: "worker"),
            now: now,
            secrets: bindings.secrets,
            vars: bindings.vars,
            fetch: fetch,
            logSink: logSink
        )
        for (binding, sql) in bindings.schemas {
            _ = try await env.d1(binding).exec(sql)
        }
    }
}
