import Drover
import Foundation

/// The resolved configuration of one worker: `wrangler-like.toml` with an environment applied, plus the
/// secrets from `.dev.vars` (and the secret store, when asked for). Built once by ``ConfigLoader`` and passed down.
package struct DroverConfig: Sendable, Equatable {
    /// The config file, absolute.
    package var configPath: String
    /// The folder holding the config file; relative paths resolve against it.
    package var configDirectory: String
    /// The selected `[env.NAME]`, or nil for the top level.
    package var environment: String?
    /// The worker's name (in an environment without its own `name`: `<top-level name>-<env>`, as wrangler does).
    package var name: String?
    /// The registered worker that serves requests.
    package var main: String?
    /// `compatibility_date`, as written (`YYYY-MM-DD`).
    package var compatibilityDate: String?
    /// `compatibility_flags`.
    package var compatibilityFlags: [String]
    /// `[vars]`, typed.
    package var vars: [String: VarValue]
    /// `[[kv_namespaces]]`.
    package var kvNamespaces: [KVNamespaceConfig]
    /// `[[d1_databases]]`.
    package var d1Databases: [D1DatabaseConfig]
    /// `[queues]`.
    package var queues: QueuesConfig
    /// `[triggers]`.
    package var triggers: TriggersConfig
    /// `[[services]]`.
    package var services: [ServiceBindingConfig]
    /// `[[durable_objects.bindings]]`.
    package var durableObjects: [DurableObjectBindingConfig]
    /// `[[migrations]]`, in order.
    package var migrations: [DurableObjectMigrationConfig]
    /// `route` / `routes`.
    package var routes: [RouteConfig]
    /// Secret bindings: `.dev.vars` over stored secrets (see ``SecretStore/merged(stored:devVars:)``).
    package var secrets: [String: Secret]
    /// The `.dev.vars` file the secrets came from, or the `.env` files, in the order they were read.
    package var devVarsPaths: [String]
    /// `[dev]`: settings of `drover dev` itself.
    package var dev: DevConfig
    /// Bindings declared with keys Drover does not emulate (`[[r2_buckets]]`, ...), grouped by key.
    package var notEmulatedBindings: [NotEmulatedBinding]
    /// Keys of wrangler's that mean nothing locally (`account_id`, `workers_dev`, ...), sorted.
    package var platformOnlyKeys: [String]
    /// Values from `.dev.vars` (or the `.env` files), which also replace `[vars]` of the same name.
    package var devVars: [String: Secret]

    /// Creates a configuration; everything but the path defaults to empty.
    package init(
        configPath: String,
        configDirectory: String? = nil,
        environment: String? = nil,
        name: String? = nil,
        main: String? = nil,
        compatibilityDate: String? = nil,
        compatibilityFlags: [String] = [],
        vars: [String: VarValue] = [:],
        kvNamespaces: [KVNamespaceConfig] = [],
        d1Databases: [D1DatabaseConfig] = [],
        queues: QueuesConfig = QueuesConfig(),
        triggers: TriggersConfig = TriggersConfig(),
        services: [ServiceBindingConfig] = [],
        durableObjects: [DurableObjectBindingConfig] = [],
        migrations: [DurableObjectMigrationConfig] = [],
        routes: [RouteConfig] = [],
        secrets: [String: Secret] = [:],
        devVarsPaths: [String] = [],
        dev: DevConfig = DevConfig(),
        notEmulatedBindings: [NotEmulatedBinding] = [],
        platformOnlyKeys: [String] = [],
        devVars: [String: Secret] = [:]
    ) {
        self.configPath = configPath
        self.configDirectory = configDirectory ?? (configPath as NSString).deletingLastPathComponent
        self.environment = environment
        self.name = name
        self.main = main
        self.compatibilityDate = compatibilityDate
        self.compatibilityFlags = compatibilityFlags
        self.vars = vars
        self.kvNamespaces = kvNamespaces
        self.d1Databases = d1Databases
        self.queues = queues
        self.triggers = triggers
        self.services = services
        self.durableObjects = durableObjects
        self.migrations = migrations
        self.routes = routes
        self.secrets = secrets
        self.devVarsPaths = devVarsPaths
        self.dev = dev
        self.notEmulatedBindings = notEmulatedBindings
        self.platformOnlyKeys = platformOnlyKeys
        self.devVars = devVars
    }

    /// The `[vars]` the worker sees: each replaced by a `.dev.vars` (or `.env`) value of the same
    /// name, as `wrangler dev` does (a local value wins over the config's), then by `overrides`
    /// (`drover dev --var`, a fixture's `vars`).
    /// - Parameters:
    ///   - localValues: the values standing for `.dev.vars` (``devVars``, or a fixture's `secrets`).
    ///   - overrides: replacements that win over both.
    /// - Returns: name to JSON value.
    package func effectiveVars(localValues: [String: String], overrides: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var result = vars.mapValues(\.jsonValue)
        for (name, value) in localValues where result[name] != nil { result[name] = .string(value) }
        for (name, value) in overrides { result[name] = value }
        return result
    }

    /// Whether a Durable Object's `deleteAll()` deletes its alarm: from compatibility date
    /// 2026-02-24 on (flag `delete_all_deletes_alarm`), unless `delete_all_preserves_alarm` says
    /// otherwise.
    package var deleteAllDeletesAlarm: Bool {
        if compatibilityFlags.contains("delete_all_deletes_alarm") { return true }
        if compatibilityFlags.contains("delete_all_preserves_alarm") { return false }
        return (compatibilityDate ?? "") >= "2026-02-24"
    }

    /// The default state folder: `.drover/state` beside the config (Docs/architecture.md; `--persist-to` overrides it).
    package var defaultStateDirectory: String {
        ConfigPaths.resolve(".drover/state", against: configDirectory)
    }
}
