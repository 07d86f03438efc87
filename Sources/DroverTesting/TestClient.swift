import Drover
import DroverConfig
import DroverQueues
import DroverRuntime
import Foundation

/// Sends requests to a worker in-process, with the bindings of a config, a frozen clock and a
/// temporary state directory — no sockets (in the spirit of Hummingbird's testing framework).
///
/// A handler's `env.clock.sleep(for:)` moves the frozen clock and returns at once, so backoffs
/// cost no real time; trace ids come from a seeded sequence, the same on every run; log records
/// are stamped with the frozen time.
///
/// ```swift
/// let client = try await TestClient(worker: MyWorker(), config: "wrangler-like.toml")
/// let response = await client.request("POST", "/api/email", json: ["to": "a@example.test"])
/// #expect(response.status == 202)
/// client.clock.advance(by: 60)
/// try await client.drainQueues()
/// await client.close()
/// ```
public final class TestClient: Sendable {
    /// The frozen clock every binding and `env.now` reads.
    public let clock: ManualWallClock
    /// The worker's bindings, to seed state or inspect it.
    public var env: Env { runtime.host.env }
    private let runtime: WorkerRuntime
    /// The runtime's host, for the extensions of this type.
    var host: WorkerHost { runtime.host }
    private let stateDirectory: String

    /// Opens the bindings of the config at `config` for `worker`.
    /// - Parameters:
    ///   - durableObjects: the Durable Object classes the config's `[[durable_objects.bindings]]`
    ///     name, by class name (`["Counter": Counter.self]`).
    ///   - secrets: secret bindings (`.dev.vars` is not read).
    ///   - fetch: outbound fetch; by default every call fails, so a test never reaches the network.
    public convenience init(
        worker: any Worker,
        config: String,
        environment: String? = nil,
        durableObjects: [String: any DurableObject.Type] = [:],
        now: Date = Date(timeIntervalSince1970: 1_767_225_600),
        secrets: [String: String] = [:],
        vars: [String: JSONValue] = [:],
        fetch: (any Fetcher)? = nil,
        logSink: any LogSink = DiscardingLogSink()
    ) async throws {
        let loaded = try ConfigLoader.load(configPath: config, environment: environment, stateDirectory: nil)
        try await self.init(
            worker: worker, resolved: loaded.config, durableObjects: durableObjects, now: now, secrets: secrets, vars: vars, fetch: fetch,
            logSink: logSink)
    }

    /// Opens the bindings of a resolved config for `worker`: the one place both kinds of client
    /// (a config file, bindings declared in Swift) are built.
    init(
        worker: any Worker,
        resolved config: DroverConfig,
        durableObjects: [String: any DurableObject.Type] = [:],
        now: Date,
        secrets: [String: String],
        vars: [String: JSONValue],
        fetch: (any Fetcher)?,
        logSink: any LogSink
    ) async throws {
        var registry = WorkerRegistry()
        registry.register(config.main ?? config.name ?? "worker", worker)
        for (className, type) in durableObjects { registry.register(durableObject: className, type) }
        let clock = ManualWallClock(now)
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("drover-test-\(UUID().uuidString)").path
        var options = RuntimeOptions(
            stateDirectory: state,
            clock: clock,
            fetcher: fetch ?? OfflineFetcher(),
            logger: Logger(label: "drover", sink: logSink, clock: clock)
        )
        options.traceIDs = TraceIDGenerator(seed: 0)
        options.secrets = secrets
        options.devVars = secrets  // they stand for .dev.vars, which replaces vars of the same name
        options.varOverrides = vars
        options.showsErrorDetails = false
        options.d1Readers = 1
        var config = config
        if config.main == nil { config.main = config.name ?? "worker" }
        self.runtime = try await WorkerRuntime(config: config, registry: registry, options: options)
        self.clock = clock
        self.stateDirectory = state
    }

    /// Sends `request` to the worker's `fetch` and waits for its `waitUntil` work.
    public func send(_ request: Request) async -> Response {
        let response = await runtime.host.fetch(request)
        await runtime.host.background.waitForAll()
        return response
    }

    /// Sends a request for `target` (path and query) with an optional body.
    public func request(_ method: String, _ target: String, headers: Headers = Headers(), body: Body = .empty) async -> Response {
        await send(Request(method: method, target: target, headers: headers, body: body))
    }

    /// Sends a request with a JSON body.
    public func request(_ method: String, _ target: String, headers: Headers = Headers(), json: JSONValue) async -> Response {
        var headers = headers
        if !headers.contains("content-type") { headers.set("content-type", "application/json") }
        return await request(method, target, headers: headers, body: Body(bytes: JSONSerializer.bytes(json)))
    }

    /// Delivers every message that is due to the consumers, retries included (their delays move
    /// the clock), as a fixture's `drainQueues` step does.
    public func drainQueues(_ queues: [String]? = nil) async throws {
        let host = runtime.host
        try await runtime.broker?.drain(runtime.consumerSettings, queues: queues) { batch in QueueHandlerOutcome(thrown: await host.queue(batch)) }
    }

    /// Moves the clock forward and runs the Durable Object alarms that fall due, in order, as a
    /// fixture's `advance` step does. (`clock.advance(by:)` alone moves the clock without them.)
    public func advance(by seconds: TimeInterval) async {
        clock.advance(by: seconds)
        await runtime.durableObjects?.fireDueAlarms()
    }

    /// Runs the worker's `scheduled` handler for `cron` at the clock's now.
    public func scheduled(_ cron: String) async {
        _ = await runtime.host.scheduled(cron: cron, at: clock.now())
    }

    /// Closes the bindings and removes the temporary state.
    public func close() async {
        await runtime.shutdown()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }
}
