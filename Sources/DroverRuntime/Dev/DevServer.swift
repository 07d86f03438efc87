import Drover
import DroverConfig
import DroverHTTP
import Foundation
import Synchronization

/// `drover dev`: serves the configured worker over HTTP, runs its queue consumers and cron
/// triggers, answers the runtime's own routes, reloads when the config or `.dev.vars` changes,
/// and shuts down gracefully. With several configs, the first config's worker is served on the
/// port and the others run beside it, reached through service bindings (``ServicePeers``) and at
/// `http://<name>.localhost:PORT` (`.localhost` names resolve to this machine, RFC 6761).
package final class DevServer: Sendable {
    /// What `drover dev` was asked for.
    package struct Settings: Sendable {
        package var host = "127.0.0.1"
        package var port = 8787
        package var testScheduled = false
        package var cronTriggers = true
        package var gracePeriod: Duration = .seconds(10)
        /// The largest request body (413 beyond): 32 MiB holds a KV value at its 25 MiB limit.
        package var maxBodySize = 32 * 1024 * 1024
        /// `Host` names answered besides this machine's own (`--allowed-host`, `[dev] allowed_hosts`).
        package var allowedHosts: [String] = []
        /// `--record DIR`: serves the worker's requests through this recorder (not the runtime's own routes).
        package var recorder: RequestRecorder?

        package init() {}
    }

    /// Builds a runtime from the config on disk; called at start and on every reload.
    package typealias RuntimeFactory = @Sendable () async throws -> WorkerRuntime

    /// Builds every worker of a session from the configs on disk, the one served on the port
    /// first (`drover dev -c a.toml -c b.toml`); called at start and on every reload.
    package typealias SessionFactory = @Sendable () async throws -> [WorkerRuntime]

    private let settings: Settings
    private let logger: Logger
    private let factory: SessionFactory
    private let current: ServingRuntime
    /// The session's other workers: running their consumers and crons, reached through service
    /// bindings, not served on the port.
    private let others: LockedValue<[WorkerRuntime]>
    private let server: LockedValue<HTTPServer?>

    /// A server of one worker.
    package convenience init(settings: Settings, logger: Logger, factory: @escaping RuntimeFactory) {
        self.init(settings: settings, logger: logger, sessionFactory: { [try await factory()] })
    }

    /// A server of a session of workers, the first served on the port.
    package init(settings: Settings, logger: Logger, sessionFactory: @escaping SessionFactory) {
        self.settings = settings
        self.logger = logger
        self.factory = sessionFactory
        self.current = ServingRuntime()
        self.others = LockedValue([])
        self.server = LockedValue(nil)
    }

    /// Opens the runtimes, starts the server and returns the bound port.
    package func start() async throws -> Int {
        let runtimes = try await factory()
        guard let runtime = runtimes.first else { throw DevSessionError("no worker to serve") }
        current.set(runtime)
        others.set(Array(runtimes.dropFirst()))
        for each in runtimes { try await each.start(cronTriggers: settings.cronTriggers) }
        var configuration = HTTPServerConfiguration()
        configuration.host = settings.host
        configuration.port = settings.port
        configuration.maxBodySize = settings.maxBodySize
        // The flag's names and the config's `[dev] allowed_hosts`, as the server starts (a reload
        // keeps the server, and so these).
        configuration.allowedHosts = settings.allowedHosts + runtime.config.dev.allowedHosts
        let current = self.current
        let recorder = settings.recorder
        let routes = InternalRoutes(testScheduled: settings.testScheduled, workerName: runtime.host.workerName)
        // CF-Connecting-IP is the client's address, whatever the client sent in it, as the platform
        // sets it and `wrangler dev` does locally
        // (https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-connecting-ip);
        // the server sets it while parsing the head.
        configuration.clientAddressField = "cf-connecting-ip"
        // A one-config session (the usual one) looks at no other worker: no lock on the request path.
        let others = runtimes.count > 1 ? self.others : nil
        let server = HTTPServer(configuration: configuration, logger: logger.withLabel("http")) { request in
            // Leased, so a reload closes this version's stores only after the request is answered.
            guard let runtime = current.acquire() else { return Response.error("server is stopping", status: 503) }
            defer { current.release(runtime) }
            // `http://<name>.localhost:PORT`: another worker of the session, by its name.
            if let others, let other = Self.sessionWorker(for: request, among: others.get()) { return await other.host.fetch(request) }
            if routes.handles(request) { return await routes.respond(to: request, host: runtime.host) }
            if let recorder { return await recorder.serve(request, runtime: runtime) }
            return await runtime.host.fetch(request)
        }
        let port = try server.start()
        self.server.set(server)
        return port
    }

    /// The runtime serving now.
    package var runtime: WorkerRuntime? { current.get() }

    /// The worker of `runtimes` a request for `http://<name>.localhost:PORT` is for: the one whose
    /// config's `name` (else `main`) is `<name>`; nil for any other host.
    static func sessionWorker(for request: Request, among runtimes: [WorkerRuntime]) -> WorkerRuntime? {
        guard !runtimes.isEmpty else { return nil }
        var host = Substring(request.headers["host"] ?? request.authority).lowercased()[...]
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = host[..<colon] }
        if host.hasSuffix(".") { host = host.dropLast() }
        guard host.hasSuffix(".localhost") else { return nil }
        let name = host.dropLast(".localhost".count)
        return runtimes.first { ($0.config.name ?? $0.config.main).map { $0.lowercased() == name } ?? false }
    }

    /// Every runtime of the session now, the served one first.
    package var runtimes: [WorkerRuntime] { (current.get().map { [$0] } ?? []) + others.get() }

    /// Rebuilds the runtime from the config on disk and swaps it in; requests in flight finish on
    /// the runtime they started on, within the grace period (after it the old runtime is closed
    /// under them, as a shutdown would). A broken config keeps the old runtime serving.
    package func reload() async {
        let runtimes: [WorkerRuntime]
        do {
            runtimes = try await factory()
        } catch {
            logger.error("reload failed, still serving the previous version: \(error)")
            return
        }
        guard let fresh = runtimes.first else { return }
        let oldOthers = others.exchange(Array(runtimes.dropFirst()))
        if let old = current.exchange(fresh) {
            let stillRunning = await current.waitUntilIdle(old, atMost: settings.gracePeriod)
            if stillRunning > 0 {
                logger.warning(
                    "\(stillRunning) request(s) still running on the previous version after the \(settings.gracePeriod) grace period; closing it"
                )
            }
            await old.shutdown(gracePeriod: settings.gracePeriod)
        }
        // The other workers of the old version answered the old served worker's service calls.
        for old in oldOthers { await old.shutdown(gracePeriod: settings.gracePeriod) }
        for runtime in runtimes {
            do {
                try await runtime.start(cronTriggers: settings.cronTriggers)
                logger.info("reloaded \(runtime.config.configPath)")
            } catch {
                logger.error("reloaded \(runtime.config.configPath), but its queue consumers did not start: \(error)")
            }
        }
    }

    /// Stops accepting, finishes requests in flight (and their background work) within the grace
    /// period, writes the fixtures still being recorded, stops consumers and triggers, closes the
    /// stores. Each step waits at most the grace period, logs what it stopped waiting for, and goes on.
    package func shutdown() async {
        if let server = server.exchange(nil) { await server.shutdown(gracePeriod: settings.gracePeriod) }
        if let recorder = settings.recorder, await !awaitAtMost(settings.gracePeriod, { await recorder.finish() }) {
            logger.warning("fixtures of requests whose waitUntil work is still running were not written: stopping without them")
        }
        if let runtime = current.exchange(nil) { await runtime.shutdown(gracePeriod: settings.gracePeriod) }
        for runtime in others.exchange([]) { await runtime.shutdown(gracePeriod: settings.gracePeriod) }
    }
}

/// The runtime serving now, leased per request: requests in flight on a replaced runtime are
/// counted so a reload shuts it down only once they have been answered.
private final class ServingRuntime: Sendable {
    private struct State {
        var runtime: WorkerRuntime?
        var leases: [ObjectIdentifier: Int] = [:]
        var idleWaiters: [ObjectIdentifier: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    func get() -> WorkerRuntime? { state.withLock { $0.runtime } }

    func set(_ runtime: WorkerRuntime?) { state.withLock { $0.runtime = runtime } }

    func exchange(_ runtime: WorkerRuntime?) -> WorkerRuntime? {
        state.withLock { state in
            defer { state.runtime = runtime }
            return state.runtime
        }
    }

    /// The current runtime, counted as serving one more request.
    func acquire() -> WorkerRuntime? {
        state.withLock { state in
            guard let runtime = state.runtime else { return nil }
            state.leases[ObjectIdentifier(runtime), default: 0] += 1
            return runtime
        }
    }

    func release(_ runtime: WorkerRuntime) {
        let id = ObjectIdentifier(runtime)
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let left = (state.leases[id] ?? 1) - 1
            guard left <= 0 else {
                state.leases[id] = left
                return []
            }
            state.leases[id] = nil
            return state.idleWaiters.removeValue(forKey: id) ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no request holds `runtime`, or once `limit` has passed.
    /// - Returns: how many requests still hold it (0 when it went idle).
    func waitUntilIdle(_ runtime: WorkerRuntime, atMost limit: Duration) async -> Int {
        let id = ObjectIdentifier(runtime)
        var timer: Task<Void, Never>?
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                guard (state.leases[id] ?? 0) > 0 else { return true }
                state.idleWaiters[id, default: []].append(continuation)
                return false
            }
            if idle {
                continuation.resume()
                return
            }
            // Started only once the waiter is registered, so it cannot fire before there is one.
            timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                let waiters = self.state.withLock { $0.idleWaiters.removeValue(forKey: id) ?? [] }
                for waiter in waiters { waiter.resume() }
            }
        }
        timer?.cancel()
        return state.withLock { $0.leases[id] ?? 0 }
    }
}
