import Drover
import DroverConfig
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The Durable Objects of one worker runtime: a namespace per class the config binds, their
/// storage under `<state>/do/`, their alarms, and the idle instances' eviction.
///
/// Layout (as Miniflare's, without its `v3/`): `<state>/do/<worker>-<class>/<64-hex id>.sqlite` per
/// object, `<state>/do/index.sqlite` for the objects' names, the alarms and the applied
/// `[[migrations]]` tags. A renamed class keeps the folder (and so the ids and storage) of the name
/// it was created with; a `deleted_classes` migration deletes its folder, once.
package final class DurableObjectsHost: Sendable {
    /// How instances live.
    package struct Settings: Sendable {
        /// An instance with no event for this long is evicted (workerd's local runtime: 10 s).
        package var idleTimeout: Duration = .seconds(10)
        /// At most this many instances are live; the least recently used idle ones make room. Each
        /// holds three descriptors (its file, WAL and shared memory): by default a quarter of the
        /// process's descriptor limit goes to them (1,000 at most), the rest to sockets and stores.
        package var maximumLiveObjects = Settings.defaultMaximumLiveObjects

        /// A quarter of `RLIMIT_NOFILE`'s soft limit, in objects of three descriptors: from 16 to 1,000.
        package static var defaultMaximumLiveObjects: Int {
            var limit = rlimit()
            let descriptors = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int(clamping: limit.rlim_cur) : 1024
            return min(1_000, max(16, descriptors / 4 / 3))
        }

        package init(idleTimeout: Duration = .seconds(10), maximumLiveObjects: Int = Settings.defaultMaximumLiveObjects) {
            self.idleTimeout = idleTimeout
            self.maximumLiveObjects = maximumLiveObjects
        }
    }

    /// The namespaces by binding name, as the worker's `Env` gets them.
    package let bindings: [String: any DurableObjectNamespace]
    /// Notes for the banner: a bound class no migration creates.
    package let warnings: [String]
    /// `<state>/do`.
    package let directory: String
    private let namespaces: [String: ObjectNamespace]
    private let scheduler: AlarmScheduler
    private let index: ObjectIndex
    private let settings: Settings
    private let clock: any WallClock
    private let sweeper = Mutex<Task<Void, Never>?>(nil)

    /// Opens the Durable Objects of `config`'s `[[durable_objects.bindings]]`, applying the
    /// `[[migrations]]` not applied to this state directory yet.
    /// - Throws: when a bound class is not registered, or the state cannot be opened.
    package init(
        config: DroverConfig,
        registry: WorkerRegistry,
        stateDirectory: String,
        clock: any WallClock,
        logger: Logger,
        settings: Settings = Settings()
    ) throws {
        let directory = (stateDirectory as NSString).appendingPathComponent("do")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let index = try ObjectIndex(path: (directory as NSString).appendingPathComponent("index.sqlite"))
        let workerName = config.name ?? config.main ?? "worker"
        let classes: DurableObjectClasses
        do {
            classes = try DurableObjectClasses(config.migrations)
        } catch {
            // The config decoder checked them, with positions.
            throw DurableObjectError("\(config.configPath): [[migrations]] entry \(error.index + 1): \(error.message)")
        }
        // Deleted classes lose their storage, once per tag.
        let applied = try index.appliedMigrations()
        for migration in config.migrations where !applied.contains(migration.tag) {
            for deleted in classes.deleted where deleted.tag == migration.tag {
                let key = "\(workerName)-\(deleted.origin)"
                try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(key))
                try index.forget(namespace: key)
                logger.info("migration \(migration.tag): deleted the Durable Objects of class \(deleted.origin)")
            }
            try index.recordMigration(migration.tag, at: clock.nowMilliseconds())
        }

        let scheduler = AlarmScheduler(index: index, clock: clock, logger: logger)
        var namespaces: [String: ObjectNamespace] = [:]
        var bindings: [String: any DurableObjectNamespace] = [:]
        var warnings: [String] = []
        for binding in config.durableObjects {
            guard let type = registry.durableObjectClass(named: binding.className) else {
                throw WorkerError.durableObjectClassNotRegistered(
                    binding.className, binding: binding.name, configFile: config.configPath, available: registry.durableObjectClassNames)
            }
            let known = binding.scriptName == nil ? classes.classes[binding.className] : nil
            if binding.scriptName == nil && known == nil {
                warnings.append(
                    "no [[migrations]] entry creates the Durable Object class \(binding.className) (binding \(binding.name)): it runs with "
                        + "key-value storage only, as under wrangler dev; for the SQL API add [[migrations]] tag = \"v1\", "
                        + "new_sqlite_classes = [\"\(binding.className)\"]")
            }
            let key = "\(binding.scriptName ?? workerName)-\(known?.origin ?? binding.className)"
            if let existing = namespaces[key] {
                bindings[binding.name] = existing
                continue
            }
            let namespace = try ObjectNamespace(
                className: binding.className,
                uniqueKey: key,
                directory: (directory as NSString).appendingPathComponent(key),
                hasSQL: known?.usesSQLite ?? (binding.scriptName != nil),
                deleteAllDeletesAlarm: config.deleteAllDeletesAlarm,
                type: type,
                clock: clock,
                index: index,
                alarms: scheduler,
                logger: logger,
                maximumLive: settings.maximumLiveObjects
            )
            try scheduler.register(namespace)
            namespaces[key] = namespace
            bindings[binding.name] = namespace
        }
        self.directory = directory
        self.index = index
        self.scheduler = scheduler
        self.namespaces = namespaces
        self.bindings = bindings
        self.warnings = warnings
        self.settings = settings
        self.clock = clock
    }

    /// Gives the objects the worker's `Env` (which holds the namespaces, so it comes after).
    package func setEnv(_ env: Env) {
        for namespace in namespaces.values { namespace.setEnv(env) }
    }

    /// Starts firing alarms on the clock (those that fell due while the server was down first)
    /// and evicting idle instances.
    package func start() {
        scheduler.start()
        let idle = settings.idleTimeout
        let namespaces = Array(self.namespaces.values)
        sweeper.withLock {
            $0 = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: idle / 2)
                    for namespace in namespaces { await namespace.evictIdle(for: idle) }
                }
            }
        }
    }

    /// Runs every alarm due on the clock now, in order: what an `advance` step does in replay.
    /// - Returns: how many ran.
    @discardableResult
    package func fireDueAlarms() async -> Int {
        await scheduler.fireDue()
    }

    /// Evicts every instance idle for `idle` (all idle ones for `.zero`): the next event builds
    /// them again from their storage.
    @discardableResult
    package func evictIdle(for idle: Duration = .zero) async -> Int {
        var evicted = 0
        for namespace in namespaces.values { evicted += await namespace.evictIdle(for: idle) }
        return evicted
    }

    /// How many instances are live.
    package var liveObjects: Int { namespaces.values.reduce(0) { $0 + $1.liveCount } }

    /// How many alarms are pending.
    package var pendingAlarms: Int { scheduler.pendingCount }

    // MARK: - Tools (fixtures, the CLI, the dashboard)

    /// One object as the tools show it.
    package struct ObjectSummary: Sendable, Equatable {
        package var binding: String
        package var className: String
        package var id: String
        package var name: String?
        /// When its alarm is due, in milliseconds.
        package var alarm: Int64?
        /// Its SQLite file.
        package var path: String
    }

    /// The binding names, sorted.
    package var bindingNames: [String] { bindings.keys.sorted() }

    /// The class bound as `binding`.
    package func className(binding: String) -> String? {
        (bindings[binding] as? ObjectNamespace)?.className
    }

    /// Whether the class bound as `binding` has the SQL API.
    package func usesSQLite(binding: String) -> Bool {
        (bindings[binding] as? ObjectNamespace)?.hasSQL ?? false
    }

    /// The objects of the namespace bound as `binding`, by id.
    package func objects(binding: String) throws -> [ObjectSummary] {
        let namespace = try namespace(binding)
        return try index.objects(namespace: namespace.indexKey).map { summary($0, binding: binding, namespace: namespace) }
    }

    /// The object `object` (a name or an id) of the namespace bound as `binding`, when the index has it.
    package func object(binding: String, object: String) throws -> ObjectSummary? {
        let namespace = try namespace(binding)
        let id = try id(binding: binding, object: object)
        return try index.object(namespace: namespace.indexKey, id: id.hex).map { summary($0, binding: binding, namespace: namespace) }
    }

    private func summary(_ entry: ObjectIndex.Entry, binding: String, namespace: ObjectNamespace) -> ObjectSummary {
        ObjectSummary(
            binding: binding, className: namespace.className, id: entry.id, name: entry.name,
            alarm: scheduler.pendingAlarm(namespace: namespace.indexKey, id: entry.id) ?? entry.alarm,
            path: (namespace.directory as NSString).appendingPathComponent("\(entry.id).sqlite"))
    }

    /// The id `object` stands for in the namespace bound as `binding`: 64 hex digits of an id of
    /// that namespace are that id, anything else is a name (`idFromName`).
    package func id(binding: String, object: String) throws -> DurableObjectId {
        let namespace = try namespace(binding)
        if object.utf8.count == 64, let id = try? namespace.idFromString(object) { return id }
        return namespace.idFromName(object)
    }

    /// Whether `object` (a name or an id) of the namespace bound as `binding` has storage yet.
    package func exists(binding: String, object: String) throws -> Bool {
        try namespace(binding).exists(try id(binding: binding, object: object))
    }

    /// Runs `body` with the storage of `object` (a name or an id) in the namespace bound as
    /// `binding`, through the object's input gate and on its actor, as one of its steps.
    package func withStorage<T: Sendable>(
        binding: String,
        object: String,
        _ body: @escaping @Sendable (any DurableObjectStorage) throws -> T
    ) async throws -> T {
        let namespace = try namespace(binding)
        let id = try id(binding: binding, object: object)
        return try await namespace.withStorageOnActor(id) { storage in try body(storage) }
    }

    /// Runs `body` with the storage of an existing `object` opened from its file, without building
    /// the object (no class code runs): for `drover do`, in a process beside `drover dev`, whose
    /// connection SQLite keeps consistent with this one.
    /// - Throws: ``DurableObjectError`` when the object has no file yet.
    package func withStorageFile<T>(binding: String, object: String, _ body: (any DurableObjectStorage) throws -> T) throws -> T {
        let namespace = try namespace(binding)
        let id = try id(binding: binding, object: object)
        let path = (namespace.directory as NSString).appendingPathComponent("\(id.hex).sqlite")
        guard FileManager.default.fileExists(atPath: path) else {
            throw DurableObjectError("\(binding) has no object \(object) (id \(id.hex)) in \(namespace.directory)")
        }
        let storage = try namespace.openStorage(id)
        defer { storage.close() }
        return try body(storage)
    }

    /// Runs the alarm of `object` now, whenever it was due: the dashboard's "fire now".
    /// - Returns: whether one was set (and so ran).
    package func fireAlarmNow(binding: String, object: String) async throws -> Bool {
        let namespace = try namespace(binding)
        let id = try id(binding: binding, object: object)
        guard let alarm = try await withStorage(binding: binding, object: object, { try $0.getAlarm() }) else { return false }
        // Through the scheduler, so it never runs twice at once with the loop's run of it.
        return await scheduler.runNow(namespace: namespace, id: id.hex, scheduled: alarm) != nil
    }

    private func namespace(_ binding: String) throws -> ObjectNamespace {
        guard let namespace = bindings[binding] as? ObjectNamespace else {
            throw DurableObjectError("no Durable Object namespace is bound as \(binding) (bound: \(bindingNames.joined(separator: ", ")))")
        }
        return namespace
    }

    /// Stops the alarms and the eviction, and closes every instance's storage once its events end.
    package func shutdown() async {
        for namespace in namespaces.values { namespace.shutDown() }
        await scheduler.stop()
        let task = sweeper.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        await evictIdle(for: .zero)
    }
}
