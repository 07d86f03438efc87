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
        summary: "Serve the configured worker locally, with its queues and cron triggers",
        options: Commands.configOptions + [
            .value("port", "PORT", "Port to listen on (0 picks a free one)", default: "8787"),
            .value("ip", "ADDRESS", "Address to listen on", default: "127.0.0.1"),
            .value(
                "allowed-host",
                "NAME",
                "Also answer requests for this Host name (repeatable; .example.com allows subdomains, * every name)"
            ),
            .flag("test-scheduled", "Serve /__scheduled?cron=... to run the scheduled handler"),
            .value("record", "DIR", "Write one replayable fixture per request into DIR"),
            .flag("record-sensitive-headers", "With --record: keep Authorization, Proxy-Authorization, Cookie and upstream Set-Cookie"),
            .flag("log-json", "Write logs as JSON lines"),
        ],
        discussion: """
            State (KV, D1, queues, secrets) persists under .drover/state beside the config.
            The server reloads when the config or .dev.vars changes. Ctrl-C stops it gracefully.
            Runtime routes: /__drover/health, /__drover/metrics, /cdn-cgi/handler/scheduled?cron=EXPR.
            Only this machine's names (localhost, loopback addresses, the --ip address) are answered, so a web
            page cannot reach the server by rebinding its own domain to 127.0.0.1; allow more with --allowed-host
            or allowed_hosts under [dev] in the config. A second Ctrl-C exits at once.
            """,
        run: run
    )

    static func run(_ arguments: ParsedArguments, _ context: CLIContext) async throws -> Int32 {
        let port = try arguments.integer("port") ?? 8787
        guard (0...65535).contains(port) else { throw UsageError("--port must be between 0 and 65535") }
        let keepsSensitiveHeaders = arguments.flag("record-sensitive-headers")
        if keepsSensitiveHeaders, arguments.value("record") == nil { throw UsageError("--record-sensitive-headers needs --record DIR") }
        let logger = Logger(
            label: "drover",
            level: .info,
            sink: StandardErrorLogSink(format: arguments.flag("log-json") ? .json : .text)
        )
        let registry = context.registry

        let factory: DevServer.RuntimeFactory = {
            // Re-read the config and secrets on every (re)load.
            let project = try Project.load(arguments, context: context)
            var options = RuntimeOptions(
                stateDirectory: project.stateDirectory,
                clock: SystemWallClock(),
                fetcher: URLSessionFetcher(),
                logger: logger
            )
            options.secrets = project.secrets
            return try await WorkerRuntime(config: project.config, registry: registry, options: options)
        }

        var settings = DevServer.Settings()
        settings.host = arguments.value("ip") ?? "127.0.0.1"
        settings.port = port
        settings.testScheduled = arguments.flag("test-scheduled")
        settings.allowedHosts = (arguments.values["allowed-host"] ?? []).flatMap { $0.split(separator: ",").map(String.init) }
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
        let server = DevServer(settings: settings, logger: logger, factory: factory)
        let bound: Int
        do {
            bound = try await server.start()
        } catch {
            await server.shutdown()
            throw error
        }
        guard let runtime = server.runtime else { return DroverCommandLine.failure }
        context.printError(Banner.text(runtime: runtime, url: "http://\(settings.host):\(bound)"))
        if !HostAllowlist(boundHost: settings.host, allowed: []).isLoopbackOnly {
            context.printError(
                "warning: listening on \(settings.host), not only this machine: anyone who can reach it on the network can call "
                    + "the worker (with its bindings and secrets), /__drover/health and /__drover/metrics, and run its cron "
                    + "triggers through /cdn-cgi/handler/scheduled. Use --ip 127.0.0.1 unless that is what you want."
            )
        }

        let watcher = FileWatcher(paths: watchedFiles(runtime.config)) {
            await server.reload()
        }
        await SignalWaiter.waitForTermination()
        context.printError("Shutting down (waiting up to \(settings.gracePeriod) for requests in flight; Ctrl-C again to exit now)...")
        watcher.stop()
        await server.shutdown()
        return DroverCommandLine.success
    }

    /// The config file and the `.dev.vars` files beside it that a reload reads.
    private static func watchedFiles(_ config: DroverConfig) -> [String] {
        let directory = config.configDirectory as NSString
        var files = [config.configPath, directory.appendingPathComponent(".dev.vars")]
        if let environment = config.environment {
            files.append(directory.appendingPathComponent(".dev.vars.\(environment)"))
        }
        return files
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
