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
        /// The `drover tail` clients (`/__drover/tail`); the runtimes publish to the same hub.
        package var tail: TailHub?
        /// Where a client's version key is read during a split, besides
        /// `Cloudflare-Workers-Version-Key` (`--version-key-header`, `--version-key-cookie`).
        package var versionKey = VersionChoice.KeySources()
        /// The local dashboard at `/cdn-cgi/explorer/` (``ExplorerRoutes``); nil: `--no-dashboard`.
        package var explorer: ExplorerContext?

        package init() {}
    }

    /// Builds a runtime from the config on disk; called at start and on every reload.
    package typealias RuntimeFactory = @Sendable () async throws -> WorkerRuntime

    /// Builds every worker of a session from the configs on disk, the one served on the port
    /// first (`drover dev -c a.toml -c b.toml`); called at start and on every reload.
    package typealias SessionFactory = @Sendable () async throws -> [WorkerRuntime]

    /// Builds a session whose served worker may be several deployed versions splitting the
    /// requests (`drover versions deploy 3@90 4@10`); called at start and on every reload.
    package typealias VersionedSessionFactory = @Sendable () async throws -> DevSession

    private let settings: Settings
    private let logger: Logger
    private let factory: VersionedSessionFactory
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
    package convenience init(settings: Settings, logger: Logger, sessionFactory: @escaping SessionFactory) {
        self.init(settings: settings, logger: logger, versionedFactory: {
            let runtimes = try await sessionFactory()
            guard let first = runtimes.first else { throw DevSessionError("no worker to serve") }
            return DevSession(served: [ServedVersion(runtime: first, version: nil, percentage: 100)], others: Array(runtimes.dropFirst()))
        })
    }

    /// A server of a session whose served worker may be several versions splitting the requests.
    package init(settings: Settings, logger: Logger, versionedFactory: @escaping VersionedSessionFactory) {
        self.settings = settings
        self.logger = logger
        self.factory = versionedFactory
        self.current = ServingRuntime(keys: settings.versionKey)
        self.others = LockedValue([])
        self.server = LockedValue(nil)
    }

    /// Opens the runtimes, starts the server and returns the bound port.
    package func start() async throws -> Int {
        let session = try await factory()
        guard let runtime = session.served.first?.runtime else { throw DevSessionError("no worker to serve") }
        current.set(session.served)
        others.set(session.others)
        // Queue consumers and cron triggers run on the primary version only: never twice.
        for each in [runtime] + session.others { try await each.start(cronTriggers: settings.cronTriggers) }
        let runtimes = [runtime] + session.others
        var configuration = HTTPServerConfiguration()
        configuration.host = settings.host
        configuration.port = settings.port
        configuration.maxBodySize = settings.maxBodySize
        // The flag's names and the config's `[dev] allowed_hosts`, as the server starts (a reload
        // keeps the server, and so these).
        configuration.allowedHosts = settings.allowedHosts + runtime.config.dev.allowedHosts
        let current = self.current
        let recorder = settings.recorder
        let routes = InternalRoutes(testScheduled: settings.testScheduled, workerName: runtime.host.workerName, tail: settings.tail)
        let explorer = settings.explorer.map(ExplorerRoutes.init(context:))
        // CF-Connecting-IP is the client's address, whatever the client sent in it, as the platform
        // sets it and `wrangler dev` does locally
        // (https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-connecting-ip);
        // the server sets it while parsing the head.
        configuration.clientAddressField = "cf-connecting-ip"
        // A one-config session (the usual one) looks at no other worker: no lock on the request path.
        let others = runtimes.count > 1 ? self.others : nil
        let server = HTTPServer(configuration: configuration, logger: logger.withLabel("http")) { request in
            // Leased, so a reload closes this version's stores only after the request is answered.
            // The runtime's own routes (the scheduled handler among them) belong to the primary
            // version, which runs the crons; a split chooses among the versions for the rest.
            let dashboard = explorer?.handles(request) ?? false
            let ownRoute = dashboard || routes.handles(request)
            guard let (runtime, shares) = current.acquire(for: request, primaryOnly: ownRoute) else {
                return Response.error("server is stopping", status: 503)
            }
            defer { current.release(runtime) }
            // `http://<name>.localhost:PORT`: another worker of the session, by its name.
            if let others, let other = Self.sessionWorker(for: request, among: others.get()) { return await other.host.fetch(request) }
            if dashboard, let explorer { return await explorer.respond(to: request, runtime: runtime, shares: shares) }
            if ownRoute { return await routes.respond(to: request, host: runtime.host, versions: shares) }
            if let recorder { return await recorder.serve(request, runtime: runtime) }
            return await runtime.host.fetch(request)
        }
        let port = try server.start()
        self.server.set(server)
        return port
    }

    /// The runtime serving now (the primary version of a split).
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
    /// under them, as a shutdown would). A broken config keeps the old runtime serving. Whether it
    /// swapped (false: the factory failed, and the old runtime serves on).
    @discardableResult
    package func reload() async -> Bool {
        let session: DevSession
        do {
            session = try await factory()
        } catch {
            logger.error("reload failed, still serving the previous version: \(error)")
            return false
        }
        guard let fresh = session.served.first?.runtime else { return false }
        let oldOthers = others.exchange(session.others)
        for old in current.exchange(session.served).map(\.runtime) {
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
        // Consumers and crons on the primary version only, once the old ones have stopped.
        for runtime in [fresh] + session.others {
            do {
                try await runtime.start(cronTriggers: settings.cronTriggers)
                logger.info("reloaded \(runtime.config.configPath)")
            } catch {
                logger.error("reloaded \(runtime.config.configPath), but its queue consumers did not start: \(error)")
            }
        }
        return true
    }

    /// Stops accepting, finishes requests in flight (and their background work) within the grace
    /// period, writes the fixtures still being recorded, stops consumers and triggers, closes the
    /// stores. Each step waits at most the grace period, logs what it stopped waiting for, and goes on.
    package func shutdown() async {
        // Tails would keep their connections open through the grace period: end them first.
        settings.tail?.finish()
        if let server = server.exchange(nil) { await server.shutdown(gracePeriod: settings.gracePeriod) }
        if let recorder = settings.recorder, await !awaitAtMost(settings.gracePeriod, { await recorder.finish() }) {
            logger.warning("fixtures of requests whose waitUntil work is still running were not written: stopping without them")
        }
        for served in current.exchange([]) { await served.runtime.shutdown(gracePeriod: settings.gracePeriod) }
        for runtime in others.exchange([]) { await runtime.shutdown(gracePeriod: settings.gracePeriod) }
    }
}

/// What a ``DevServer`` serves: its worker, as one version or several splitting the requests, and
/// the session's other workers.
package struct DevSession: Sendable {
    /// The served worker's versions; the first is the primary (it runs the queue consumers and
    /// cron triggers). Their percentages add up to 100.
    package var served: [ServedVersion]
    /// The session's other workers.
    package var others: [WorkerRuntime]

    package init(served: [ServedVersion], others: [WorkerRuntime]) {
        self.served = served
        self.others = others
    }
}

/// One version of the served worker and its share of the requests.
package struct ServedVersion: Sendable {
    package var runtime: WorkerRuntime
    /// The deployed version's number; nil when the config file is served as it is.
    package var version: Int?
    /// Percent of the requests, 0 to 100.
    package var percentage: Double

    package init(runtime: WorkerRuntime, version: Int?, percentage: Double) {
        self.runtime = runtime
        self.version = version
        self.percentage = percentage
    }
}

/// Which version of a split serves a request, as the platform's gradual deployments decide it
/// (https://developers.cloudflare.com/workers/configuration/versions-and-deployments/gradual-deployments/):
///
/// 1. `Cloudflare-Workers-Version-Overrides: <worker>="<version>"` names one of the versions:
///    that one (for testing a version before it takes traffic);
/// 2. `Cloudflare-Workers-Version-Key: <any text>` — or the header or cookie `drover dev
///    --version-key-header` / `--version-key-cookie` names: the same version for the same key, as
///    long as the split does not change (version affinity, e.g. per user or session);
/// 3. otherwise at random, in proportion to the percentages.
package enum VersionChoice {
    /// Where else a client's version key may be: a header and a cookie the user names.
    package struct KeySources: Sendable {
        package var header: String?
        package var cookie: String?

        package init(header: String? = nil, cookie: String? = nil) {
            self.header = header
            self.cookie = cookie
        }

        /// The key `request` carries: `Cloudflare-Workers-Version-Key`, else the named header,
        /// else the named cookie.
        func key(of request: Request) -> String? {
            if let key = request.headers["cloudflare-workers-version-key"], !key.isEmpty { return key }
            if let header, let key = request.headers[header], !key.isEmpty { return key }
            if let cookie, let key = request.cookie(cookie), !key.isEmpty { return key }
            return nil
        }
    }

    /// The index in `served` of the version for `request`.
    package static func index(
        for request: Request, among served: [ServedVersion], workerName: String, keys: KeySources = KeySources()
    ) -> Int {
        guard served.count > 1 else { return 0 }
        if let overrides = request.headers["cloudflare-workers-version-overrides"],
            let asked = overriddenVersion(overrides, workerName: workerName),
            let index = served.firstIndex(where: { $0.version == asked })
        {
            return index
        }
        let point: Double
        if let key = keys.key(of: request) {
            // FNV-1a: stable across runs and processes, unlike Hasher.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
            point = Double(hash % 1_000_000) / 10_000
        } else {
            point = Double.random(in: 0..<100)
        }
        var upTo = 0.0
        for (index, version) in served.enumerated() {
            upTo += version.percentage
            if point < upTo { return index }
        }
        return served.count - 1
    }

    /// The version `<workerName>="<N>"` in an overrides header (a dictionary of structured-field
    /// strings, RFC 8941): nil when the header names no version of this worker.
    static func overriddenVersion(_ header: String, workerName: String) -> Int? {
        for member in header.split(separator: ",") {
            let parts = member.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == workerName else { continue }
            return Int(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        return nil
    }
}

/// The versions serving now, leased per request: requests in flight on a replaced runtime are
/// counted so a reload shuts it down only once they have been answered.
private final class ServingRuntime: Sendable {
    private struct State {
        var served: [ServedVersion] = []
        var leases: [ObjectIdentifier: Int] = [:]
        var idleWaiters: [ObjectIdentifier: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())
    /// Where a client's version key is read during a split.
    private let keys: VersionChoice.KeySources

    init(keys: VersionChoice.KeySources) {
        self.keys = keys
    }

    /// The primary version's runtime.
    func get() -> WorkerRuntime? { state.withLock { $0.served.first?.runtime } }

    func set(_ served: [ServedVersion]) { state.withLock { $0.served = served } }

    func exchange(_ served: [ServedVersion]) -> [ServedVersion] {
        state.withLock { state in
            defer { state.served = served }
            return state.served
        }
    }

    /// The version `request` goes to, counted as serving one more request, and every version's
    /// share (for the health route).
    func acquire(for request: Request, primaryOnly: Bool = false) -> (WorkerRuntime, [(version: Int?, percentage: Double)])? {
        state.withLock { state in
            guard let primary = state.served.first else { return nil }
            let index = primaryOnly ? 0 : VersionChoice.index(for: request, among: state.served, workerName: primary.runtime.host.workerName, keys: keys)
            let runtime = state.served[index].runtime
            state.leases[ObjectIdentifier(runtime), default: 0] += 1
            return (runtime, state.served.map { ($0.version, $0.percentage) })
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
