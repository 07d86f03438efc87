import Drover
import DroverConfig
import DroverRuntime
import Foundation

/// `drover deploy`, `drover versions list`, `drover deployments list|status` and `drover rollback`:
/// config-driven deployment to the local "edge" — a running `drover dev` on the same state
/// directory — as `wrangler deploy`, `wrangler versions`, `wrangler deployments` and
/// `wrangler rollback` publish to Cloudflare (Docs/deploying.md).
package enum DeployCommand {
    static var specs: [CommandSpec] { [deploy, versionsList, versionsDeploy, deploymentsList, deploymentsStatus, rollback] }

    static let deploy = CommandSpec(
        path: ["deploy"],
        summary: "Validate the config, store it as a new numbered version and make it active",
        options: Commands.configOptions + [
            .value("message", "TEXT", "A note kept with the version and the deployment"),
            .flag("dry-run", "Validate everything and write nothing (pending D1 migrations are not applied)"),
        ],
        discussion: """
            Before anything is written, the version is opened as drover dev would open it: the config must
            load, its main worker must be registered in this binary, every binding must open, every secret
            the worker declares must be present (.dev.vars or drover secret put), and every D1 migration
            must apply (they are applied now, as a deploy pipeline applies them before the code). A version
            that fails any of these is refused and the active one stays.
            The version keeps a snapshot of the config file (no secrets: they are read when it is opened)
            under <state>/deployments/. A drover dev running on the same state directory switches to it, and the
            command returns once it has (or says why not): requests in flight finish on the version they started
            on, new ones go to the new version, and queue consumers and cron triggers move over once the old
            version has stopped.

            Examples:
              drover deploy --message "add the Stripe webhook"
              drover deploy -c Examples/playground/wrangler-like.toml --dry-run
            """,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            guard let bytes = FileManager.default.contents(atPath: project.config.configPath) else {
                throw CLIError("cannot read \(project.config.configPath)")
            }
            let dryRun = arguments.flag("dry-run")
            try await Deployer.validate(project, registry: context.registry, appliesMigrations: !dryRun)
            let worker = project.config.main ?? project.config.name ?? ""
            let hash = Hex.encode(Crypto.sha256(Array(bytes)))
            if dryRun {
                context.print(
                    "Dry run: \(worker) from \(project.config.configPath) (config \(hash.prefix(12))) is valid: the worker is registered, "
                        + "every binding opens and every declared secret is present. Nothing was written; pending D1 migrations are applied by the deploy.")
                return DroverCommandLine.success
            }
            let store = VersionStore(stateDirectory: project.stateDirectory)
            let message = arguments.value("message")
            let now = VersionStore.timestamp(Date())
            let version = try store.create { id in
                WorkerVersion(
                    id: id, createdAt: now, message: message, worker: worker, name: project.config.name,
                    configPath: project.config.configPath, environment: project.config.environment, configHash: hash,
                    config: String(decoding: bytes, as: UTF8.self))
            }
            let deployment = try store.activate { id in
                Deployment(id: id, createdAt: now, message: message, source: "deploy", versions: [.init(version: version.id, percentage: 100)])
            }
            context.print("Uploaded \(worker) version \(version.summary)")
            context.print("Deployment \(deployment.id): version \(version.id) at 100%")
            context.print(await awaitServer(on: store, deployment: deployment.id))
            return DroverCommandLine.success
        }
    )

    static let versionsList = CommandSpec(
        path: ["versions", "list"],
        summary: "List the deployed versions, newest last, marking the active ones",
        options: Commands.configOptions + [.flag("json", "Print the versions as JSON (without their config snapshots)")],
        run: { arguments, context in
            let project = try Project.load(arguments, context: context, printWarnings: false)
            let store = VersionStore(stateDirectory: project.stateDirectory)
            let versions = try store.versions()
            let active = try store.active()
            let shares = Dictionary((active?.versions ?? []).map { ($0.version, $0.percentage) }, uniquingKeysWith: { a, _ in a })
            if arguments.flag("json") {
                context.print(
                    JSONSerializer.prettyString(
                        .array(
                            versions.map { version in
                                [
                                    "id": .integer(Int64(version.id)), "createdAt": .string(version.createdAt),
                                    "message": version.message.map(JSONValue.string), "worker": .string(version.worker),
                                    "configHash": .string(version.configHash), "percentage": shares[version.id].map(JSONValue.double),
                                ]
                            })))
                return DroverCommandLine.success
            }
            guard !versions.isEmpty else {
                context.print("No versions yet on \(project.stateDirectory): drover deploy makes the first.")
                return DroverCommandLine.success
            }
            for version in versions {
                let share = shares[version.id].map { "  active \(percent($0))" } ?? ""
                context.print("\(version.id)  \(version.createdAt)  \(version.worker)  config \(version.configHash.prefix(12))\(share)\(version.message.map { "  \($0)" } ?? "")")
            }
            return DroverCommandLine.success
        }
    )

    static let versionsDeploy = CommandSpec(
        path: ["versions", "deploy"],
        summary: "Split the requests between one or two versions by percentage (a gradual rollout)",
        arguments: [ArgumentSpec(name: "VERSION@PERCENT", help: "A version and its share, such as 3@90 4@10", variadic: true)],
        options: Commands.configOptions + [.value("message", "TEXT", "A note kept with the deployment")],
        discussion: """
            The shares must add up to 100; a version alone may be given without @ (it takes 100%). As on the
            platform, at most two versions serve at once. Each is checked as drover deploy checks a new one.
            A running drover dev serves each request with one version: the one named by
            Cloudflare-Workers-Version-Overrides: <worker>="<version>" when that is one of them, else the same
            one for the same Cloudflare-Workers-Version-Key header (version affinity), else one at random in
            proportion to the shares. The version with the larger share runs the queue consumers and cron
            triggers. /__drover/health lists the versions and shares; each request log line names its version.

            Examples:
              drover versions deploy 3@90 4@10 --message "canary the new pull"
              drover versions deploy 4@100
            """,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context, printWarnings: false)
            let store = VersionStore(stateDirectory: project.stateDirectory)
            let shares = try parseShares(arguments.positionals)
            var projects: [Project] = []
            for share in shares {
                guard let version = try store.version(share.version) else {
                    throw CLIError("there is no version \(share.version) on \(project.stateDirectory) (drover versions list)")
                }
                projects.append(try Deployer.project(of: version, stateDirectory: project.stateDirectory))
            }
            for each in projects { try await Deployer.validate(each, registry: context.registry, appliesMigrations: true) }
            let deployment = try store.activate { id in
                Deployment(
                    id: id, createdAt: VersionStore.timestamp(Date()), message: arguments.value("message"), source: "versions deploy",
                    versions: shares)
            }
            context.print("Deployment \(deployment.id): " + shares.map { "version \($0.version) at \(percent($0.percentage))" }.joined(separator: ", "))
            context.print(await awaitServer(on: store, deployment: deployment.id))
            return DroverCommandLine.success
        }
    )

    /// `3@90 4@10` (or `3`) as shares adding up to 100, at most two.
    static func parseShares(_ words: [String]) throws -> [Deployment.Share] {
        guard (1...2).contains(words.count) else { throw UsageError("give one or two VERSION@PERCENT, such as 3@90 4@10") }
        let shares = try words.map { word -> Deployment.Share in
            let parts = word.split(separator: "@", omittingEmptySubsequences: false)
            guard let version = Int(parts[0]), version > 0 else { throw UsageError("\"\(word)\": expected VERSION@PERCENT, such as 3@90") }
            if parts.count == 1 { return .init(version: version, percentage: words.count == 1 ? 100 : -1) }
            guard parts.count == 2, let percentage = Double(parts[1].hasSuffix("%") ? parts[1].dropLast() : parts[1]),
                percentage.isFinite, (0...100).contains(percentage)
            else { throw UsageError("\"\(word)\": the percentage must be a number from 0 to 100") }
            return .init(version: version, percentage: percentage)
        }
        guard shares.allSatisfy({ $0.percentage >= 0 }) else { throw UsageError("with two versions, give each its percentage: 3@90 4@10") }
        guard Set(shares.map(\.version)).count == shares.count else { throw UsageError("a version is named twice") }
        guard abs(shares.map(\.percentage).reduce(0, +) - 100) < 1e-9 else {
            throw UsageError("the percentages add up to \(shares.map(\.percentage).reduce(0, +)), not 100")
        }
        return shares
    }

    static let deploymentsList = CommandSpec(
        path: ["deployments", "list"],
        summary: "List the deployments, newest last: which versions served, from when",
        options: Commands.configOptions + [.flag("json", "Print the deployments as JSON")],
        run: { arguments, context in
            let project = try Project.load(arguments, context: context, printWarnings: false)
            let deployments = try VersionStore(stateDirectory: project.stateDirectory).deployments()
            if arguments.flag("json") {
                context.print(JSONSerializer.prettyString(.array(deployments.map(json))))
                return DroverCommandLine.success
            }
            guard !deployments.isEmpty else {
                context.print("No deployments yet on \(project.stateDirectory): drover deploy makes the first.")
                return DroverCommandLine.success
            }
            for deployment in deployments { context.print(line(deployment)) }
            return DroverCommandLine.success
        }
    )

    static let deploymentsStatus = CommandSpec(
        path: ["deployments", "status"],
        summary: "Show the active deployment and its versions",
        options: Commands.configOptions + [.flag("json", "Print it as JSON")],
        run: { arguments, context in
            let project = try Project.load(arguments, context: context, printWarnings: false)
            let store = VersionStore(stateDirectory: project.stateDirectory)
            guard let active = try store.active() else {
                context.print("No deployment on \(project.stateDirectory): drover dev serves \(project.config.configPath) as it is.")
                return DroverCommandLine.success
            }
            if arguments.flag("json") {
                context.print(JSONSerializer.prettyString(json(active)))
                return DroverCommandLine.success
            }
            context.print(line(active))
            for share in active.versions {
                guard let version = try store.version(share.version) else { continue }
                context.print("  \(percent(share.percentage))  version \(version.summary), from \(version.configPath) at \(version.createdAt)")
            }
            return DroverCommandLine.success
        }
    )

    static let rollback = CommandSpec(
        path: ["rollback"],
        summary: "Make an earlier version active again (default: the one uploaded before the newest one serving)",
        arguments: [ArgumentSpec(name: "VERSION", help: "The version to serve", optional: true)],
        options: Commands.configOptions + [.value("message", "TEXT", "A note kept with the deployment")],
        discussion: """
            The version is checked as drover deploy checks a new one (its worker registered, its bindings and
            secrets present) before it becomes active; the command returns once a running drover dev has switched.

            Examples:
              drover rollback
              drover rollback 3 --message "the new pull misbehaves"
            """,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context, printWarnings: false)
            let asked: Int?
            if let text = arguments.positionals.first {
                guard let id = Int(text), id > 0 else { throw UsageError("VERSION must be a version number, got \"\(text)\"") }
                asked = id
            } else {
                asked = nil
            }
            let rolledBack = try await rollback(
                stateDirectory: project.stateDirectory, registry: context.registry, to: asked, message: arguments.value("message"))
            context.print(rolledBack.summary)
            context.print(await awaitServer(on: VersionStore(stateDirectory: project.stateDirectory), deployment: rolledBack.deployment))
            return DroverCommandLine.success
        }
    )

    /// Makes `asked` (nil: the version uploaded before the newest one serving, as wrangler) the
    /// active deployment of `stateDirectory`, after checking it as `drover deploy` checks a new one;
    /// what to print, and the deployment's number. `drover rollback` and the dashboard's rollback.
    static func rollback(
        stateDirectory: String, registry: WorkerRegistry, to asked: Int?, message: String?
    ) async throws -> (summary: String, deployment: Int) {
        let store = VersionStore(stateDirectory: stateDirectory)
        guard let active = try store.active() else { throw CLIError("nothing to roll back: no deployment on \(stateDirectory)") }
        let targetID: Int
        if let asked {
            targetID = asked
        } else {
            // As wrangler: the version uploaded before the current one — the newest serving now,
            // so that rolling back a split (3@90 4@10) returns to 3 alone.
            let serving = active.versions.map(\.version).max() ?? 0
            guard let previous = try store.versions().map(\.id).filter({ $0 < serving }).last else {
                throw CLIError("version \(serving) is the first: there is no earlier version to roll back to")
            }
            targetID = previous
        }
        guard let version = try store.version(targetID) else { throw CLIError("there is no version \(targetID) on \(stateDirectory)") }
        let snapshot = try Deployer.project(of: version, stateDirectory: stateDirectory)
        try await Deployer.validate(snapshot, registry: registry, appliesMigrations: true)
        let deployment = try store.activate { id in
            Deployment(
                id: id, createdAt: VersionStore.timestamp(Date()), message: message, source: "rollback",
                versions: [.init(version: version.id, percentage: 100)])
        }
        return ("Rolled back to version \(version.summary)\nDeployment \(deployment.id): version \(version.id) at 100%", deployment.id)
    }

    /// How long a deploy waits for a running `drover dev` to switch: it checks the active
    /// deployment four times a second and opens the new version (bindings, migrations) first.
    package static let switchTimeout: Duration = .seconds(30)

    /// Waits until the `drover dev` serving `store`'s state, if one runs, serves `deployment` (or a
    /// later one), so that a request sent after the command returns reaches the new version, as
    /// after `wrangler deploy`; what to print.
    package static func awaitServer(on store: VersionStore, deployment: Int, timeout: Duration = switchTimeout) async -> String {
        guard var serving = store.serving() else {
            let state = (store.directory as NSString).deletingLastPathComponent
            return "No drover dev runs on \(state): the next one started there serves deployment \(deployment)."
        }
        let deadline = ContinuousClock.now + timeout
        while (serving.deployment ?? 0) < deployment {
            guard ContinuousClock.now < deadline else {
                let current = serving.deployment.map { "deployment \($0)" } ?? "its config file"
                return "drover dev (pid \(serving.pid)) still serves \(current) after \(timeout): its log says why."
            }
            try? await Task.sleep(for: .milliseconds(50))
            guard let next = store.serving() else { return "drover dev (pid \(serving.pid)) stopped before it switched." }
            serving = next
        }
        return "drover dev (pid \(serving.pid)) now serves deployment \(deployment)."
    }

    /// `7  2026-12-06T10:00:00Z  deploy  3@100%  message`.
    static func line(_ deployment: Deployment) -> String {
        let versions = deployment.versions.map { "\($0.version)@\(percent($0.percentage))" }.joined(separator: " ")
        return "\(deployment.id)  \(deployment.createdAt)  \(deployment.source)  \(versions)" + (deployment.message.map { "  \($0)" } ?? "")
    }

    static func json(_ deployment: Deployment) -> JSONValue {
        [
            "id": .integer(Int64(deployment.id)), "createdAt": .string(deployment.createdAt), "source": .string(deployment.source),
            "message": deployment.message.map(JSONValue.string),
            "versions": .array(deployment.versions.map { ["version": .integer(Int64($0.version)), "percentage": .double($0.percentage)] }),
        ]
    }

    /// `100%`, `12.5%`.
    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}

/// Opening a version as `drover dev` would, to refuse a bad one before it becomes active.
enum Deployer {
    /// Opens `project`'s worker on its state directory and closes it again.
    /// - Throws: what stops it from opening, said as a refusal.
    static func validate(_ project: Project, registry: WorkerRegistry, appliesMigrations: Bool) async throws {
        var options = RuntimeOptions(
            stateDirectory: project.stateDirectory, clock: SystemWallClock(), fetcher: NoOutboundFetch(), logger: .disabled)
        options.secrets = project.secrets
        options.devVars = project.config.devVars.mapValues { $0.reveal() }
        options.appliesMigrations = appliesMigrations
        let runtime: WorkerRuntime
        do {
            runtime = try await WorkerRuntime(config: project.config, registry: registry, options: options)
        } catch {
            throw CLIError("refused: \(error)\nThe active version (if any) keeps serving.")
        }
        await runtime.shutdown(gracePeriod: .seconds(5))
    }

    /// The project a stored version describes: its config snapshot, read as the file it was taken
    /// from (so migrations and `.dev.vars` resolve beside it), with the secrets stored now.
    static func project(of version: WorkerVersion, stateDirectory: String) throws -> Project {
        let loaded = try ConfigLoader.load(
            bytes: Array(version.config.utf8), configPath: version.configPath, environment: version.environment, stateDirectory: stateDirectory)
        return Project(config: loaded.config, stateDirectory: stateDirectory)
    }
}

/// Opening a version to check it makes no outbound call; one would be refused.
private struct NoOutboundFetch: Fetcher {
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError(kind: .connection, message: "no outbound fetch while a version is checked")
    }
}
