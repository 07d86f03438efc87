import Drover
import DroverConfig
import DroverHTTP
import DroverReplay
import DroverRuntime
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `drover dev`: the local dev server, like `wrangler dev`.
enum DevCommand {
    static let spec = CommandSpec(
        path: ["dev"],
        summary: "Serve the configured worker locally, with its queues and cron triggers (-c repeated: several workers)",
        options: Commands.configOptions + [
            .value("port", "PORT", "Port to listen on (0 picks a free one)", default: "[dev] port, else 8787"),
            .value("ip", "ADDRESS", "Address to listen on", default: "[dev] ip, else 127.0.0.1"),
            .value("var", "KEY:VALUE", "Set the var KEY to the text VALUE, over [vars] and .dev.vars (repeatable)"),
            .value(
                "allowed-host",
                "NAME",
                "Also answer requests for this Host name (repeatable; .example.com allows subdomains, * every name)"
            ),
            .flag("test-scheduled", "Serve /__scheduled?cron=... to run the scheduled handler"),
            .value("record", "DIR", "Write one replayable fixture per request into DIR"),
            .flag("record-sensitive-headers", "With --record: keep Authorization, Proxy-Authorization, Cookie and upstream Set-Cookie"),
            .flag("log-json", "Write logs as JSON lines"),
            .value("version-key-header", "NAME", "During a split (drover versions deploy), keep clients on one version by this header too"),
            .value("version-key-cookie", "NAME", "During a split, keep clients on one version by this cookie too"),
            .flag("no-dashboard", "Do not serve the local dashboard at /cdn-cgi/explorer/"),
        ],
        discussion: """
            State (KV, D1, queues, secrets) persists under .drover/state beside the config.
            Several workers: drover dev -c a.toml -c b.toml serves a.toml's worker on the port and runs b.toml's beside
            it, each with its own bindings, vars, secrets and state; a service binding ([[services]] service = "NAME")
            reaches the worker of the session with that name, with that worker's bindings, and so does
            http://NAME.localhost:PORT. --var and [dev] are the first config's.
            Local secrets come from .dev.vars (or, without one, the .env files) beside the config; a value there
            also replaces the var of the same name, as in wrangler dev.
            The server reloads when the config, .dev.vars or .env changes. Ctrl-C stops it gracefully.
            Runtime routes: /__drover/health, /__drover/metrics, /cdn-cgi/handler/scheduled?cron=EXPR, and the local
            dashboard at /cdn-cgi/explorer/ (KV, D1, queues and dead letters, cron, deployments, live tail, metrics;
            its JSON API under /cdn-cgi/explorer/api/), unless --no-dashboard.
            Only this machine's names (localhost, loopback addresses, the --ip address) are answered, so a web
            page cannot reach the server by rebinding its own domain to 127.0.0.1; allow more with --allowed-host
            or allowed_hosts under [dev] in the config. A second Ctrl-C exits at once.
            """,
        run: run
    )

    static func run(_ arguments: ParsedArguments, _ context: CLIContext) async throws -> Int32 {
        let varOverrides = try variables(arguments.values["var"] ?? [])
        let flagPort = try arguments.integer("port")
        if let flagPort, !(0...65535).contains(flagPort) { throw UsageError("--port must be between 0 and 65535") }
        let keepsSensitiveHeaders = arguments.flag("record-sensitive-headers")
        if keepsSensitiveHeaders, arguments.value("record") == nil { throw UsageError("--record-sensitive-headers needs --record DIR") }
        // Loaded once here for the listening address (a reload keeps the socket); the first
        // runtimes are built from this same load, later ones from a fresh read. With several
        // configs, the first one's worker is served; its [dev] settings and --var are its own.
        let loadedAll = try Project.loadAll(arguments, context: context)
        let loaded = loadedAll[0]
        for project in loadedAll { warnOfUnsetSecrets(project, context: context) }
        let firstLoad = LockedValue<[Project]?>(loadedAll)
        let dev = loaded.config.dev
        let port = flagPort ?? dev.port ?? 8787
        // `drover tail` clients see every log line and request, as standard error does; both see
        // no secret value of any worker of the session (replaced by `[secret NAME]`).
        let jsonLogs = arguments.flag("log-json")
        let tail = TailHub()
        let redaction = RedactingLogSink(FanOutLogSink([StandardErrorLogSink(format: jsonLogs ? .json : .text), TailLogSink(hub: tail)]))
        let logger = Logger(label: "drover", level: .info, sink: redaction)
        // The deployment the factory last opened (nil: the config file), recorded once the server
        // serves it, so that `drover deploy` can wait for the switch.
        let servedDeployment = LockedValue<Int?>(nil)
        let versions = VersionStore(stateDirectory: loaded.stateDirectory)
        @Sendable func recordServed() {
            do {
                try versions.markServing(servedDeployment.get())
            } catch {
                logger.warning("cannot record which deployment this server serves (drover deploy will not wait for it): \(error)")
            }
        }
        let registry = context.registry

        let factory: DevServer.VersionedSessionFactory = {
            // Re-read the configs and secrets on every reload.
            var projects = try firstLoad.exchange(nil) ?? Project.loadAll(arguments, context: context)
            // Once `drover deploy` has made versions active on the served worker's state, they are
            // served (and followed: deploy, rollback and versions deploy switch them), not the file.
            let deployed = try deployedVersions(of: projects[0])
            redaction.update(
                (projects + deployed.map(\.project)).reduce(into: [String: String]()) { all, project in
                    all.merge(project.secrets) { first, _ in first }
                })
            servedDeployment.set(deployed.first?.deployment)
            if let primary = deployed.first {
                projects[0] = primary.project
                let split = deployed.map { "\($0.version.id)@\(DeployCommand.percent($0.percentage))" }.joined(separator: " ")
                logger.info("serving version \(primary.version.summary) (deployment \(primary.deployment): \(split))")
            }
            func options(_ project: Project, version: Int?, overridesVars: Bool) -> RuntimeOptions {
                var runtimeLogger = logger
                if let version { runtimeLogger.metadata["version"] = String(version) }
                // JSON lines (and a session of several workers) say which worker wrote them.
                if jsonLogs || projects.count > 1 { runtimeLogger.metadata["worker"] = project.config.main ?? project.config.name }
                var options = RuntimeOptions(
                    stateDirectory: project.stateDirectory, clock: SystemWallClock(), fetcher: URLSessionFetcher(), logger: runtimeLogger)
                options.secrets = project.secrets
                options.devVars = project.config.devVars.mapValues { $0.reveal() }
                if overridesVars { options.varOverrides = varOverrides }
                options.tail = tail
                return options
            }
            // One session per generation: service bindings reach this version's workers.
            let members = projects.enumerated().map { index, project in
                (config: project.config, options: options(project, version: index == 0 ? deployed.first?.version.id : nil, overridesVars: index == 0))
            }
            let session = try await WorkerRuntime.openSession(members, registry: registry)
            var served = [ServedVersion(runtime: session[0], version: deployed.first?.version.id, percentage: deployed.first?.percentage ?? 100)]
            // The other versions of a split serve requests only: no consumers, no crons, and no
            // service bindings to the session's other workers.
            do {
                for other in deployed.dropFirst() {
                    let runtime = try await WorkerRuntime(
                        config: other.project.config, registry: registry, options: options(other.project, version: other.version.id, overridesVars: true))
                    served.append(ServedVersion(runtime: runtime, version: other.version.id, percentage: other.percentage))
                }
            } catch {
                for runtime in session + served.dropFirst().map(\.runtime) { await runtime.shutdown(gracePeriod: .seconds(1)) }
                throw error
            }
            return DevSession(served: served, others: Array(session.dropFirst()))
        }

        var settings = DevServer.Settings()
        settings.host = arguments.value("ip") ?? dev.ip ?? "127.0.0.1"
        settings.port = port
        settings.testScheduled = arguments.flag("test-scheduled")
        settings.tail = tail
        settings.versionKey = VersionChoice.KeySources(header: arguments.value("version-key-header"), cookie: arguments.value("version-key-cookie"))
        settings.allowedHosts = (arguments.values["allowed-host"] ?? []).flatMap { $0.split(separator: ",").map(String.init) }
        if !arguments.flag("no-dashboard") {
            var explorer = ExplorerContext(tail: tail)
            explorer.fixturesDirectory = arguments.value("record").map(context.resolve)
            // The dashboard's rollback is `drover rollback`'s: the version checked, then made active;
            // the watcher below then swaps the server to it.
            let stateDirectory = loaded.stateDirectory
            let registry = context.registry
            explorer.rollback = { version, message in
                try await DeployCommand.rollback(stateDirectory: stateDirectory, registry: registry, to: version, message: message).summary
            }
            // The dashboard's replay is `drover replay FILE`'s.
            let environment = context.environment
            let root = context.workingDirectory
            explorer.replayFixture = { path in
                let runner = FixtureRunner(projectRoot: root, registry: registry, update: false, environment: environment)
                let results = try await ReplayRun(paths: [path], runner: runner, jobs: 1).run { _, _, _ in }
                guard let result = results.first else { throw CLIError("no fixture at \(path)") }
                return (result.outcome == .passed, ([result.line] + [result.renderedFailure()].filter { !$0.isEmpty }).joined(separator: "\n"))
            }
            settings.explorer = explorer
        }
        if let record = arguments.value("record") {
            // Docs/fixtures.md, "Recording": one fixture per worker request, secrets as ${NAME}.
            // Credentials that are not secret bindings are left out unless asked for.
            let writer = try RecordedRequestWriter(
                directory: context.resolve(record),
                logger: logger.withLabel("record"),
                recorder: FixtureRecorder(keepsSensitiveHeaders: keepsSensitiveHeaders)
            )
            settings.recorder = RequestRecorder { recorded in writer.write(recorded) }
            context.printError("Recording one fixture per request into \(writer.directory)")
        }
        let server = DevServer(settings: settings, logger: logger, versionedFactory: factory)
        let bound: Int
        do {
            bound = try await server.start()
        } catch {
            await server.shutdown()
            throw error
        }
        recordServed()
        let runtimes = server.runtimes
        guard let runtime = runtimes.first else { return DroverCommandLine.failure }
        for other in runtimes.dropFirst() {
            let name = (other.config.name ?? other.config.main ?? "").lowercased()
            context.printError(Banner.text(runtime: other, url: "http://\(name).localhost:\(bound)", beside: true))
        }
        context.printError(Banner.text(runtime: runtime, url: "http://\(settings.host):\(bound)"))
        if settings.explorer != nil {
            let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
            context.printError("Dashboard: http://\(host):\(bound)/cdn-cgi/explorer/")
        }
        if !HostAllowlist(boundHost: settings.host, allowed: []).isLoopbackOnly {
            context.printError(
                "warning: listening on \(settings.host), not only this machine: anyone who can reach it on the network can call "
                    + "the worker (with its bindings and secrets), /__drover/health and /__drover/metrics, and run its cron "
                    + "triggers through /cdn-cgi/handler/scheduled. Use --ip 127.0.0.1 unless that is what you want."
            )
        }

        // The configs and their secrets, and the served worker's active deployment (drover deploy,
        // drover rollback), checked twice a second.
        // (The factory has already said which deployed version it serves, if any.)
        let watcher = FileWatcher(paths: runtimes.flatMap { watchedFiles($0.config) } + [versions.activePath], interval: .milliseconds(250)) {
            if await server.reload() { recordServed() }
        }
        await SignalWaiter.waitForTermination()
        context.printError("Shutting down (waiting up to \(settings.gracePeriod) for requests in flight; Ctrl-C again to exit now)...")
        watcher.stop()
        versions.unmarkServing()
        await server.shutdown()
        return DroverCommandLine.success
    }

    /// Names the secrets the project's `.dev.vars.example` lists and nothing sets, and where to put
    /// them: a fresh clone has no `.dev.vars` (git ignores it), and without this the first request
    /// that reads one is the first to say so.
    static func warnOfUnsetSecrets(_ project: Project, context: CLIContext) {
        let directory = project.config.configDirectory
        guard let (example, missing) = DevVars.missingFromExample(configDirectory: directory, present: Set(project.config.secrets.keys)) else {
            return
        }
        let devVars = (directory as NSString).appendingPathComponent(".dev.vars")
        context.printError(
            "warning: \(example) lists \(missing.count == 1 ? "a secret" : "secrets") not set here: \(missing.joined(separator: ", ")). "
                + "Add each as NAME=value to \(devVars) (cp \(example) \(devVars) starts from the example's values) or store it "
                + "with drover secret put NAME; until then a request that reads one fails.")
    }

    /// The versions of the active deployment of `project`'s state, each opened as a project, the
    /// primary (largest share) first; empty before the first `drover deploy`.
    static func deployedVersions(of project: Project) throws -> [(version: WorkerVersion, percentage: Double, deployment: Int, project: Project)] {
        let store = VersionStore(stateDirectory: project.stateDirectory)
        guard let active = try store.active() else { return [] }
        let primary = active.primaryVersion
        let ordered = active.versions.filter { $0.version == primary } + active.versions.filter { $0.version != primary && $0.percentage > 0 }
        return try ordered.map { share in
            guard let version = try store.version(share.version) else {
                throw CLIError("the active deployment \(active.id) names version \(share.version), which is not in \(store.directory)")
            }
            return (version, share.percentage, active.id, try Deployer.project(of: version, stateDirectory: project.stateDirectory))
        }
    }

    /// The config file and every `.dev.vars` or `.env` file beside it that a reload could read.
    private static func watchedFiles(_ config: DroverConfig) -> [String] {
        [config.configPath] + DevVars.candidates(configDirectory: config.configDirectory, environment: config.environment)
    }

    /// `--var KEY:VALUE` values, as `wrangler dev --var` takes them
    /// (https://developers.cloudflare.com/workers/wrangler/commands/#dev): split at the first colon,
    /// the value kept as text (it may hold more colons, as a URL does).
    /// - Throws: ``UsageError`` for an entry without a colon or with an empty or invalid name.
    static func variables(_ entries: [String]) throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for entry in entries {
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                throw UsageError("--var expects KEY:VALUE, got \"\(entry)\"")
            }
            let name = String(entry[..<colon])
            guard SecretStore.isValidName(name) else {
                throw UsageError("--var \(name): use letters, digits and '_', not starting with a digit")
            }
            result[name] = .string(String(entry[entry.index(after: colon)...]))
        }
        return result
    }
}

/// Waits for SIGINT or SIGTERM; a second one exits the process at once (status 130).
enum SignalWaiter {
    static func waitForTermination() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = LockedFlag()
            var sources: [DispatchSourceSignal] = []
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    if once.setIfUnset() {
                        continuation.resume()
                    } else {
                        // A second Ctrl-C: the user does not want to wait for the graceful shutdown.
                        LogLineWriter.standardError.write(Array("Forced exit: not waiting for the shutdown to finish\n".utf8))
                        LogLineWriter.standardError.flush(timeout: .milliseconds(200))
                        _exit(130)
                    }
                }
                source.resume()
                sources.append(source)
            }
            // The sources must outlive this scope: keep them for the life of the process.
            SignalSources.keep(sources)
        }
    }
}
