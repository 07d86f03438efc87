import Drover
import DroverConfig
import DroverD1
import DroverDurableObjects
import DroverKV
import DroverQueues
import Foundation

/// One worker with its bindings opened from a resolved config: the unit `drover dev` serves,
/// swaps on a reload, and fixture replay runs in a temporary state directory.
///
/// Opening creates `<state>/kv/<id>/`, `<state>/d1/<database_name>.sqlite` (applying pending
/// migrations), `<state>/queues/` and `<state>/do/`; ``start()`` begins queue delivery, cron
/// triggers and Durable Object alarms; ``shutdown()`` stops them, awaits background work and
/// closes the stores.
package final class WorkerRuntime: Sendable {
    /// The resolved config.
    package let config: DroverConfig
    /// The runtime's options.
    package let options: RuntimeOptions
    /// The worker and its `Env`.
    package let host: WorkerHost
    /// KV namespaces by binding name.
    package let kvNamespaces: [String: FileKVNamespace]
    /// D1 databases by binding name.
    package let databases: [String: SQLiteD1Database]
    /// The durable queues of this state directory; `nil` when the config has no queues (a worker
    /// without queues never opens their store).
    package let broker: QueueBroker?
    /// The Durable Objects of the config's `[[durable_objects.bindings]]`; `nil` when it has none.
    package let durableObjects: DurableObjectsHost?
    /// Migrations applied when opening, per binding, for the banner.
    package let appliedMigrations: [String: [String]]
    private let cron: LockedValue<CronScheduler?>

    /// Opens every binding of `config` and builds the worker `config.main` from `registry`.
    /// - Throws: a clear error when `main` is not registered or a binding cannot be opened.
    package init(config: DroverConfig, registry: WorkerRegistry, options: RuntimeOptions) async throws {
        self.config = config
        self.options = options
        // Every record of this runtime, the worker's included, is stamped by the Env's clock:
        // frozen time in replay and tests.
        var logger = options.logger
        logger.clock = options.clock
        let workerName = config.main ?? config.name ?? ""
        let worker = try registry.require(workerName)
        // Before anything is opened: a worker that cannot run is refused at start, not at its
        // first request.
        if let unmet = Self.unmetRequirements(of: worker, config: config, options: options) { throw unmet }
        let state = options.stateDirectory
        // The state folder holds the stores' data and secrets.json: its owner's only (0700), like
        // the secret store, whatever the umask; a folder made before this rule is tightened too.
        try FileManager.default.createDirectory(
            atPath: state,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: state)

        // The bindings count their calls here (the dashboard's metrics); the host reports them.
        let metrics = RuntimeMetrics()
        var bindings: [String: Env.Binding] = [:]
        var kvNamespaces: [String: FileKVNamespace] = [:]
        for namespace in config.kvNamespaces {
            let directory = (state as NSString).appendingPathComponent("kv/\(namespace.id)")
            let store = try FileKVNamespace(directory: directory, clock: options.clock, logger: logger.withLabel("kv"))
            kvNamespaces[namespace.binding] = store
            bindings[namespace.binding] = .kv(MeteredKVNamespace(store, binding: namespace.binding, metrics: metrics))
        }

        var databases: [String: SQLiteD1Database] = [:]
        var applied: [String: [String]] = [:]
        for database in config.d1Databases {
            let path = SQLiteD1Database.path(stateDirectory: state, databaseName: database.databaseName)
            let d1 = try SQLiteD1Database(path: path, logger: logger.withLabel("d1"), readers: options.d1Readers)
            if options.appliesMigrations {
                let folder = database.migrationsPath
                if FileManager.default.fileExists(atPath: folder) {
                    applied[database.binding] = try await D1Migrations.apply(
                        database: d1,
                        directory: folder,
                        table: database.migrationsTable
                    )
                }
            }
            databases[database.binding] = d1
            bindings[database.binding] = .d1(MeteredD1Database(d1, binding: database.binding, metrics: metrics))
        }

        var broker: QueueBroker?
        if !config.queues.producers.isEmpty || !config.queues.consumers.isEmpty {
            let opened = try QueueBroker(
                directory: (state as NSString).appendingPathComponent("queues"),
                clock: options.clock,
                logger: logger.withLabel("queue"),
                traceIDs: options.traceIDs
            )
            for producer in config.queues.producers {
                bindings[producer.binding] = .queue(
                    MeteredQueue(opened.producer(queue: producer.queue, deliveryDelay: producer.deliveryDelay), binding: producer.binding, metrics: metrics))
            }
            broker = opened
        }

        var durableObjects: DurableObjectsHost?
        if !config.durableObjects.isEmpty {
            let host = try DurableObjectsHost(
                config: config,
                registry: registry,
                stateDirectory: state,
                clock: options.clock,
                logger: logger.withLabel("do")
            )
            for (name, namespace) in host.bindings { bindings[name] = .durableObjects(namespace) }
            for warning in host.warnings { logger.warning(warning) }
            durableObjects = host
        }

        for (name, value) in options.secrets {
            bindings[name] = .secret(value)
        }
        for binding in config.notEmulatedBindings where bindings[binding.name] == nil {
            bindings[binding.name] = .notEmulated(kind: binding.kind, section: binding.section)
        }

        let services = ServiceRegistry()
        for service in config.services {
            bindings[service.binding] = .service(
                ServiceFetcher(name: service.service, registry: registry, services: services, peers: options.servicePeers))
        }

        var vars = Vars(config.effectiveVars(localValues: options.devVars, overrides: options.varOverrides))
        // A var replaced by a .dev.vars value holds a secret: never printed.
        vars.hiddenNames = Set(options.devVars.keys.filter { config.vars[$0] != nil && options.varOverrides[$0] == nil })
        let env = Env(
            bindings: bindings,
            vars: vars,
            fetch: options.fetcher,
            clock: options.clock,
            configFile: config.configPath
        )
        services.set(env: env, logger: logger, traceIDs: options.traceIDs)
        durableObjects?.setEnv(env)

        self.kvNamespaces = kvNamespaces
        self.databases = databases
        self.broker = broker
        self.durableObjects = durableObjects
        self.appliedMigrations = applied
        self.host = WorkerHost(
            workerName: workerName,
            worker: worker,
            env: env,
            logger: logger.withLabel("drover"),
            metrics: metrics,
            showsErrorDetails: options.showsErrorDetails,
            logsRequests: options.logsRequests,
            cronTriggers: config.triggers.crons.map(\.source),
            waitUntilLimit: options.waitUntilLimit,
            traceIDs: options.traceIDs,
            tail: options.tail
        )
        self.cron = LockedValue(nil)
    }

    /// The worker's ``Worker/requirements`` that `config` (with `options`' secrets and vars) does
    /// not meet, as one error; nil when all are met.
    static func unmetRequirements(of worker: any Worker, config: DroverConfig, options: RuntimeOptions) -> WorkerError? {
        let requirements = worker.requirements
        guard !requirements.isEmpty else { return nil }
        let vars = config.effectiveVars(localValues: options.devVars, overrides: options.varOverrides)
        return WorkerRequirement.unmet(requirements, configFile: config.configPath) { requirement in
            let name = requirement.name
            switch requirement.kind {
            case .kv: return config.kvNamespaces.contains { $0.binding == name }
            case .d1: return config.d1Databases.contains { $0.binding == name }
            case .queue: return config.queues.producers.contains { $0.binding == name }
            case .service: return config.services.contains { $0.binding == name }
            case .durableObjects: return config.durableObjects.contains { $0.name == name }
            case .secret: return options.secrets[name] != nil
            case .var: return vars[name] != nil
            }
        }
    }

    /// The settings of every `[[queues.consumers]]`.
    package var consumerSettings: [QueueConsumerSettings] {
        config.queues.consumers.map { consumer in
            QueueConsumerSettings(
                queue: consumer.queue,
                maxBatchSize: consumer.maxBatchSize,
                maxBatchTimeout: .seconds(consumer.maxBatchTimeout),
                maxRetries: consumer.maxRetries,
                deadLetterQueue: consumer.deadLetterQueue,
                retryDelay: consumer.retryDelay,
                maxConcurrency: consumer.maxConcurrency
            )
        }
    }

    /// Starts delivering queue messages to the worker and firing its cron triggers and Durable
    /// Object alarms on the real clock.
    package func start(cronTriggers: Bool = true) async throws {
        durableObjects?.start()
        let host = self.host
        if let broker, !config.queues.consumers.isEmpty {
            try await broker.startConsumers(consumerSettings) { batch in
                QueueHandlerOutcome(thrown: await host.queue(batch))
            }
        }
        if cronTriggers {
            let crons = config.triggers.crons
            if !crons.isEmpty { cron.set(CronScheduler(crons: crons, host: host)) }
        }
    }

    /// Stops delivery and triggers, waits for running batches, scheduled runs and `waitUntil`
    /// work — each for at most `gracePeriod`, then logs what it cut off and goes on — and closes
    /// the stores.
    package func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let logger = host.logger
        if let scheduler = cron.get() {
            scheduler.stop()
            if await !awaitAtMost(gracePeriod, { await scheduler.waitUntilStopped() }) {
                logger.warning("a scheduled run was still going \(gracePeriod) after the shutdown began; not waiting for it")
            }
        }
        await broker?.shutdown(gracePeriod: gracePeriod)
        if await !host.background.waitForAll(atMost: gracePeriod) {
            logger.warning(
                "\(host.background.count) waitUntil task(s) still running \(gracePeriod) after the shutdown began; not waiting for them"
            )
        }
        // After the background work, which may still call objects.
        await durableObjects?.shutdown()
        for store in kvNamespaces.values { store.close() }
        for database in databases.values { database.close() }
    }
}
