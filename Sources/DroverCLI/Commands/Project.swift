import Drover
import DroverConfig
import Foundation

/// What every config-reading command resolves from `--config`, `--env` and `--persist-to`:
/// the resolved config (with its secrets) and its state directory.
struct Project: Sendable {
    /// The resolved config; `config.secrets` holds `.dev.vars` merged over stored secrets.
    var config: DroverConfig
    /// The state directory.
    var stateDirectory: String

    /// Loads the config named by the command line (default `wrangler-like.toml` in the working
    /// directory) and prints its warnings to standard error.
    /// - Throws: the config's located error (`FILE:LINE:COL: what is wrong`).
    static func load(_ arguments: ParsedArguments, context: CLIContext, printWarnings: Bool = true) throws -> Project {
        try load(config: arguments.value("config"), arguments, context: context, printWarnings: printWarnings)
    }

    /// Every config `--config` names, in order (`drover dev -c a.toml -c b.toml`), or the default
    /// one; each with its own state directory beside it, unless `--persist-to` names one for all.
    static func loadAll(_ arguments: ParsedArguments, context: CLIContext, printWarnings: Bool = true) throws -> [Project] {
        let paths: [String?] = arguments.values["config"] ?? [nil]
        return try paths.map { try load(config: $0, arguments, context: context, printWarnings: printWarnings) }
    }

    /// The config at `config` (default `wrangler-like.toml`), with `--env` and `--persist-to`.
    static func load(config: String?, _ arguments: ParsedArguments, context: CLIContext, printWarnings: Bool = true) throws -> Project {
        let path = context.resolve(config ?? "wrangler-like.toml")
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("config file not found: \(path) (pass --config FILE)")
        }
        let state =
            arguments.value("persist-to").map(context.resolve)
            ?? ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".drover/state")
        let loaded = try ConfigLoader.load(configPath: path, environment: arguments.value("env"), stateDirectory: state)
        if printWarnings {
            for warning in loaded.warnings { context.printError("\(warning)") }
        }
        return Project(config: loaded.config, stateDirectory: state)
    }

    /// The secret values, revealed for the runtime's bindings.
    var secrets: [String: String] {
        config.secrets.mapValues { $0.reveal() }
    }
}

/// A failure to report as `error: <message>` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
