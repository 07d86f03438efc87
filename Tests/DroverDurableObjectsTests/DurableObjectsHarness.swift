import Drover
import DroverConfig
import DroverDurableObjects
import DroverTestSupport
import Foundation
import Synchronization

/// A worker's Durable Objects on a temporary state directory and a frozen clock: what the tests
/// drive, without an HTTP server in between.
struct DurableObjectsHarness {
    let state: String
    let clock: ManualWallClock
    let host: DurableObjectsHost
    let env: Env
    let logs: MemoryLogSink

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// The test classes, bound as `COUNTER` (SQLite), `PROBE` (SQLite) and `LEGACY` (key-value).
    static func config(compatibilityDate: String = "2026-01-01", migrations: [DurableObjectMigrationConfig]? = nil) -> DroverConfig {
        DroverConfig(
            configPath: "/virtual/wrangler-like.toml",
            name: "tests",
            main: "tests",
            compatibilityDate: compatibilityDate,
            durableObjects: [
                DurableObjectBindingConfig(name: "COUNTER", className: "Counter"),
                DurableObjectBindingConfig(name: "PROBE", className: "Probe"),
                DurableObjectBindingConfig(name: "LEGACY", className: "Legacy"),
                DurableObjectBindingConfig(name: "FRAGILE", className: "Fragile"),
            ],
            migrations: migrations ?? [
                DurableObjectMigrationConfig(tag: "v1", newClasses: ["Legacy"], newSQLiteClasses: ["Counter", "Probe", "Fragile"])
            ]
        )
    }

    static var registry: WorkerRegistry {
        var registry = WorkerRegistry()
        registry.register(durableObject: "Counter", TestCounter.self)
        registry.register(durableObject: "Probe", Probe.self)
        registry.register(durableObject: "Legacy", TestCounter.self)
        registry.register(durableObject: "Fragile", Fragile.self)
        return registry
    }

    /// A fresh state directory, or `state` to reopen one (a restart).
    static func make(
        state: String? = nil,
        clock: ManualWallClock? = nil,
        config: DroverConfig = DurableObjectsHarness.config(),
        registry: WorkerRegistry = DurableObjectsHarness.registry,
        settings: DurableObjectsHost.Settings = .init()
    ) throws -> DurableObjectsHarness {
        let directory = state ?? FileManager.default.temporaryDirectory.appendingPathComponent("drover-do-\(UUID().uuidString)").path
        let clock = clock ?? ManualWallClock(start)
        let logs = MemoryLogSink()
        let logger = Logger(label: "do", sink: logs, clock: clock)
        let host = try DurableObjectsHost(
            config: config, registry: registry, stateDirectory: directory, clock: clock, logger: logger, settings: settings)
        var env = Env(fetch: NoNetwork(), clock: clock, configFile: config.configPath)
        for (name, namespace) in host.bindings { env.setBinding(name, .durableObjects(namespace)) }
        host.setEnv(env)
        return DurableObjectsHarness(state: directory, clock: clock, host: host, env: env, logs: logs)
    }

    func namespace(_ name: String = "COUNTER") throws -> any DurableObjectNamespace {
        try env.durableObjects(name)
    }

    /// The harness on the same state directory after this one shut down: a restart.
    func restarted(config: DroverConfig = DurableObjectsHarness.config()) async throws -> DurableObjectsHarness {
        await host.shutdown()
        return try DurableObjectsHarness.make(state: state, clock: clock, config: config)
    }

    /// Advances the clock by `seconds` and runs the alarms that fall due, as a fixture's `advance`.
    @discardableResult
    func advance(_ seconds: TimeInterval) async -> Int {
        clock.advance(by: seconds)
        return await host.fireDueAlarms()
    }
}

/// Outbound fetch is not used by these tests.
struct NoNetwork: Fetcher {
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError.invalidURL(request.url)
    }
}

/// A counter: the read-modify-write the platform's input gates make atomic.
actor TestCounter: DurableObject {
    let ctx: DurableObjectState
    /// How many times an instance was built for this id in this process, across evictions.
    static let builds = Mutex<[String: Int]>([:])

    init(ctx: DurableObjectState, env: Env) {
        self.ctx = ctx
        Self.builds.withLock { $0[ctx.id.hex, default: 0] += 1 }
    }

    func increment() throws -> Int64 {
        let count = (try ctx.storage.get("count")?.integerValue ?? 0) + 1
        try ctx.storage.put("count", .integer(count))
        return count
    }

    /// An increment with an `await` on something else between the read and the write: the
    /// interleaving the platform allows too. Opens `read` after reading, writes once `resume` opens.
    func incrementPausing(read: Gate, resume: Gate) async throws -> Int64 {
        let count = (try ctx.storage.get("count")?.integerValue ?? 0) + 1
        read.open()
        await resume.wait()
        try ctx.storage.put("count", .integer(count))
        return count
    }

    func fetch(_ request: Request) async throws -> Response {
        .json(["count": try increment(), "url": request.url])
    }
}

/// Records what its alarm saw, in its storage; throws while `failures` (a stored number) is above zero.
actor Probe: DurableObject {
    let ctx: DurableObjectState

    init(ctx: DurableObjectState, env: Env) {
        self.ctx = ctx
    }

    var storage: any DurableObjectStorage { ctx.storage }

    func alarm(_ info: AlarmInvocationInfo) async throws {
        var runs = try ctx.storage.get("runs")?.arrayValue ?? []
        runs.append([
            "retryCount": .integer(Int64(info.retryCount)),
            "isRetry": .bool(info.isRetry),
            "scheduledTime": .integer(info.scheduledTime),
            "alarmInside": try ctx.storage.getAlarm().map(JSONValue.integer) ?? .null,
        ])
        try ctx.storage.put("runs", .array(runs))
        if let next = try ctx.storage.get("setNext")?.integerValue {
            try ctx.storage.delete("setNext")
            try ctx.storage.setAlarm(next)
        }
        let failures = try ctx.storage.get("failures")?.integerValue ?? 0
        if failures > 0 {
            try ctx.storage.put("failures", .integer(failures - 1))
            throw ProbeFailure()
        }
    }

    struct ProbeFailure: Error {}
}

/// An object whose initializer throws while its storage says `broken`.
actor Fragile: DurableObject {
    let ctx: DurableObjectState

    init(ctx: DurableObjectState, env: Env) throws {
        if try ctx.storage.get("broken") == .bool(true) { throw Probe.ProbeFailure() }
        self.ctx = ctx
    }

    func alarm(_ info: AlarmInvocationInfo) throws {}
}
