import Drover
import DroverConfig
import DroverD1
import DroverDurableObjects
import DroverKV
import DroverQueues
import DroverRuntime
import Foundation

/// The running state of one fixture: its runtime (swapped by `deploy` steps), clock and upstreams.
final class ReplaySession: Sendable {
    let fixture: Fixture
    let configPath: String
    let stateDirectory: String
    let registry: WorkerRegistry
    let projectRoot: String
    let sink: MemoryLogSink
    let clock: ManualWallClock
    let upstream: UpstreamReplayFetcher
    /// Trace and span ids: the same sequence on every run of the fixture, across `deploy` steps.
    let traceIDs = TraceIDGenerator(seed: 0)
    private let runtime = LockedValue<WorkerRuntime?>(nil)
    private let secrets = LockedValue<[(name: String, value: String)]>([])

    /// The secret bindings of every runtime built so far (a `deploy` step builds another), name
    /// and value, sorted by name: what `--update` must never write.
    var secretBindings: [(name: String, value: String)] {
        secrets.get().sorted { ($0.name, $0.value) < ($1.name, $1.value) }
    }

    init(
        fixture: Fixture,
        configPath: String,
        stateDirectory: String,
        registry: WorkerRegistry,
        projectRoot: String,
        sink: MemoryLogSink
    ) {
        self.fixture = fixture
        self.configPath = configPath
        self.stateDirectory = stateDirectory
        self.registry = registry
        self.projectRoot = projectRoot
        self.sink = sink
        self.clock = ManualWallClock(fixture.now)
        self.upstream = UpstreamReplayFetcher(entries: fixture.upstream, clock: clock)
    }

    /// Builds the runtime for the config at `path`, over this fixture's state directory.
    private func makeRuntime(configPath path: String, stepPath: String) async throws -> WorkerRuntime {
        let loaded: LoadedConfig
        do {
            loaded = try ConfigLoader.load(configPath: path, environment: fixture.env, stateDirectory: nil)
        } catch {
            throw ReplayStepError(path: stepPath, message: "\(error)")
        }
        var options = RuntimeOptions(
            stateDirectory: stateDirectory,
            clock: clock,
            fetcher: upstream,
            logger: Logger(label: "drover", level: .info, sink: sink, clock: clock)
        )
        options.traceIDs = traceIDs
        options.showsErrorDetails = false
        options.d1Readers = 1
        // `secrets` replaces .dev.vars; without it the config's secrets (from .dev.vars) apply.
        options.secrets = fixture.secretValues ?? loaded.config.secrets.mapValues { $0.reveal() }
        // They stand for .dev.vars, so they replace vars of the same name as .dev.vars does.
        options.devVars = fixture.secretValues ?? loaded.config.devVars.mapValues { $0.reveal() }
        // Runtimes are built one at a time (open, then each `deploy` step in turn).
        var known = secrets.get()
        for (name, value) in options.secrets where !known.contains(where: { $0.name == name && $0.value == value }) {
            known.append((name, value))
        }
        secrets.set(known)
        for (name, value) in fixture.vars { options.varOverrides[name] = value }
        do {
            return try await WorkerRuntime(config: loaded.config, registry: registry, options: options)
        } catch {
            throw ReplayStepError(path: stepPath, message: "\(error)")
        }
    }

    func open() async throws {
        runtime.set(try await makeRuntime(configPath: configPath, stepPath: "config"))
    }

    func close() async {
        if let current = runtime.exchange(nil) { await current.shutdown() }
    }

    private var current: WorkerRuntime {
        get throws {
            guard let value = runtime.get() else { throw ReplayStepError(path: "steps", message: "the runtime is not open") }
            return value
        }
    }

    /// The queue named by producer binding or by queue name (Docs/fixtures.md: both are accepted
    /// everywhere a queue is named).
    /// - Throws: ``ReplayStepError`` at `path` when the config knows no such queue: a typo must not
    ///   make a check silently vanish (Docs/fixtures.md).
    private func queueName(_ name: String, in runtime: WorkerRuntime, path: String) throws -> String {
        let queues = runtime.config.queues
        if let producer = queues.producers.first(where: { $0.binding == name }) { return producer.queue }
        var known = Set(queues.producers.map(\.queue))
        for consumer in queues.consumers {
            known.insert(consumer.queue)
            if let deadLetter = consumer.deadLetterQueue { known.insert(deadLetter) }
        }
        guard known.contains(name) else {
            let bindings = queues.producers.map(\.binding)
            throw ReplayStepError(
                path: path,
                message:
                    "no queue named \(name) in \(runtime.config.configPath) (producer bindings: \(bindings.isEmpty ? "none" : bindings.joined(separator: ", ")); queues: \(known.isEmpty ? "none" : known.sorted().joined(separator: ", ")))"
            )
        }
        return name
    }

    /// Applies `given`: KV entries, SQL after migrations, pending queue messages, Durable Objects.
    func seed() async throws {
        let runtime = try current
        for (binding, entries) in fixture.given.kv {
            guard let namespace = runtime.kvNamespaces[binding] else {
                throw ReplayStepError(path: "given.kv.\(binding)", message: "no KV namespace bound as \(binding) in \(runtime.config.configPath)")
            }
            for entry in entries {
                do {
                    try await namespace.put(
                        entry.key,
                        value: entry.bytes,
                        options: KVPutOptions(expiration: entry.expiration, expirationTtl: entry.expirationTtl, metadata: entry.metadata)
                    )
                } catch {
                    throw ReplayStepError(path: entry.path.description, message: "\(error)")
                }
            }
        }
        for (binding, statements) in fixture.given.d1 {
            guard let database = runtime.databases[binding] else {
                throw ReplayStepError(path: "given.d1.\(binding)", message: "no D1 database bound as \(binding) in \(runtime.config.configPath)")
            }
            for (index, sql) in statements.enumerated() {
                do {
                    _ = try await database.executeScript(sql)
                } catch {
                    throw ReplayStepError(path: "given.d1.\(binding)[\(index)]", message: "\(error)")
                }
            }
        }
        for (queue, messages) in fixture.given.queues {
            guard let broker = runtime.broker else {
                throw ReplayStepError(path: "given.queues.\(queue)", message: "\(runtime.config.configPath) configures no queues")
            }
            let producer = broker.producer(queue: try queueName(queue, in: runtime, path: "given.queues.\(queue)"))
            for message in messages {
                let contentType = message.contentType.map(QueueContentType.init(rawValue:))
                let body: MessageBody
                switch message.contentType {
                case "text": body = .text(message.body.stringValue ?? JSONSerializer.string(message.body))
                case "bytes": body = .bytes(Array((message.body.stringValue ?? JSONSerializer.string(message.body)).utf8))
                default: body = .json(message.body)
                }
                do {
                    try await producer.send(MessageSendRequest(body: body, contentType: contentType))
                } catch {
                    throw ReplayStepError(path: message.path.description, message: "\(error)")
                }
            }
        }
        try await seedDurableObjects(runtime)
    }

    /// Applies `given.durableObjects`: each object's entries, SQL and alarm, through its storage.
    private func seedDurableObjects(_ runtime: WorkerRuntime) async throws {
        for (binding, seeds) in fixture.given.durableObjects {
            guard let host = runtime.durableObjects, host.bindingNames.contains(binding) else {
                throw ReplayStepError(
                    path: "given.durableObjects.\(binding)", message: "no Durable Object namespace bound as \(binding) in \(runtime.config.configPath)")
            }
            for seed in seeds {
                do {
                    try await host.withStorage(binding: binding, object: seed.object) { storage in
                        if let entries = seed.storage { try storage.put(entries) }
                        for sql in seed.sql { _ = try storage.sql.exec(sql) }
                        if let alarm = seed.alarm { try storage.setAlarm(alarm) }
                    }
                } catch {
                    throw ReplayStepError(path: seed.path.description, message: "\(error)")
                }
            }
        }
    }

    /// The checks of `expect.durableObjects`.
    private func checkDurableObjects(_ checks: [DurableObjectExpectation], _ runtime: WorkerRuntime) async -> [CheckFailure] {
        var failures: [CheckFailure] = []
        for check in checks {
            guard let host = runtime.durableObjects, host.bindingNames.contains(check.binding) else {
                failures.append(CheckFailure(path: check.path, message: "no Durable Object namespace bound as \(check.binding)"))
                continue
            }
            do {
                let queries = check.sql.map(\.query)
                let (entries, alarm, results) = try await host.withStorage(binding: check.binding, object: check.object) { storage in
                    let results = queries.map { query -> (rows: [D1Row]?, error: String?) in
                        do {
                            return (try storage.sql.exec(query).rows, nil)
                        } catch {
                            return (nil, "\(error)")
                        }
                    }
                    return (try storage.list(), try storage.getAlarm(), results)
                }
                if let expected = check.storage, !Self.sameEntries(expected, entries) {
                    failures.append(
                        .mismatch(check.path.appending("storage"), expected: JSONValue.object(expected).description, actual: JSONValue.object(entries).description))
                }
                if let expected = check.alarm {
                    let actual = alarm.map(JSONValue.integer) ?? .null
                    if actual != expected { failures.append(.mismatch(check.path.appending("alarm"), expected: expected.description, actual: actual.description)) }
                }
                for (query, result) in zip(check.sql, results) {
                    if let rows = result.rows {
                        failures += query.check(rows: rows)
                    } else {
                        failures.append(query.queryFailed(result.error ?? ""))
                    }
                }
            } catch {
                failures.append(CheckFailure(path: check.path, message: "\(error)"))
            }
        }
        return failures
    }

    /// Whether two sets of entries are equal, whatever their order.
    private static func sameEntries(_ a: JSONObject, _ b: JSONObject) -> Bool {
        a.keys.count == b.keys.count && Set(a.keys) == Set(b.keys) && a.keys.allSatisfy { a[$0] == b[$0] }
    }

    /// What a step produced: its failures, and for a request the actual response (for --update).
    struct StepOutcome {
        var failures: [CheckFailure] = []
        var actual: FixtureUpdater.ActualResponse?
    }

    func perform(_ step: FixtureStep) async throws -> StepOutcome {
        let runtime = try current
        switch step.action {
        case .request(let request, let expect):
            let response = await runtime.host.fetch(request.makeRequest())
            let body = (try? await response.body.bytes()) ?? []
            // Docs/fixtures.md: all waitUntil work finishes before the step ends.
            await runtime.host.background.waitForAll()
            let failures = expect?.check(status: response.status, headers: response.headers, body: body) ?? []
            return StepOutcome(
                failures: failures,
                actual: FixtureUpdater.ActualResponse(status: response.status, headers: response.headers, body: body)
            )
        case .drainQueues(let names):
            let host = runtime.host
            let queues = try names?.enumerated().map { index, name in
                try queueName(name, in: runtime, path: step.path.appending("drainQueues").appending(index).description)
            }
            guard let broker = runtime.broker else { return StepOutcome() }
            do {
                try await broker.drain(
                    runtime.consumerSettings,
                    queues: queues,
                    deliver: { batch in QueueHandlerOutcome(thrown: await host.queue(batch)) }
                )
            } catch {
                throw ReplayStepError(path: step.path.description, message: "\(error)")
            }
            return StepOutcome()
        case .advance(let seconds):
            clock.advance(by: seconds)
            // Docs/fixtures.md: the Durable Object alarms that fall due run, in order.
            await runtime.durableObjects?.fireDueAlarms()
            return StepOutcome()
        case .scheduled(let cron):
            let known = runtime.config.triggers.crons.map(\.source)
            // Spaced as the config writes it or not, as the dev server's scheduled route takes it.
            guard let declared = InternalRoutes.declaredCron(cron, among: known) else {
                throw ReplayStepError(
                    path: step.path.appending("scheduled").description,
                    message:
                        "\"\(cron)\" is not a cron trigger of \(runtime.config.configPath) (it has: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
                )
            }
            _ = await runtime.host.scheduled(cron: declared, at: clock.now())
            return StepOutcome()
        case .deploy(let path):
            let resolved = Fixture.resolve(path, fixtureFile: fixture.file, projectRoot: projectRoot)
            let fresh = try await makeRuntime(configPath: resolved, stepPath: step.path.appending("deploy").description)
            let old = runtime
            self.runtime.set(fresh)
            await old.shutdown()
            return StepOutcome()
        }
    }

    /// The fixture's `expect`, and the upstream list's own checks.
    func checkEnd() async throws -> [CheckFailure] {
        let runtime = try current
        var failures = upstream.failures(strict: fixture.upstreamStrict)
        guard let expect = fixture.expect else { return failures }
        for check in expect.kv {
            guard let namespace = runtime.kvNamespaces[check.binding] else {
                failures.append(CheckFailure(path: check.path, message: "no KV namespace bound as \(check.binding)"))
                continue
            }
            do {
                let stored = try await namespace.getWithMetadata(check.key)?.value
                if let failure = check.check(stored: stored) { failures.append(failure) }
            } catch {
                failures.append(CheckFailure(path: check.path, message: "\(error)"))
            }
        }
        for query in expect.d1 {
            guard let database = runtime.databases[query.database] else {
                failures.append(CheckFailure(path: query.path, message: "no D1 database bound as \(query.database)"))
                continue
            }
            do {
                failures += query.check(rows: try await database.prepare(query.query).all().results)
            } catch {
                failures.append(query.queryFailed("\(error)"))
            }
        }
        for queue in expect.queues {
            let name: String
            do {
                name = try queueName(queue.queue, in: runtime, path: queue.path.description)
            } catch let error as ReplayStepError {
                failures.append(CheckFailure(path: error.path, message: error.message))
                continue
            }
            let stats =
                try await runtime.broker?.stats(queue: name)
                ?? QueueStats(queue: queue.queue)
            failures += queue.check(pending: stats.pending, deadLettered: stats.deadLettered)
        }
        failures += await checkDurableObjects(expect.durableObjects, runtime)
        failures += expect.checkUpstreamCalls(upstream.callCount)
        failures += expect.checkLogs(sink.lines)
        return failures
    }
}
