import Drover
import DroverConfig
import Foundation

/// What every config-reading command resolves from `--config`, `--env` and `--persist-to`:
/// the resolved config, its state directory and its secrets.
struct Project: Sendable {
    /// The resolved config.
    var config: DroverConfig
    /// The state directory.
    var stateDirectory: String
    /// Config warnings (unknown keys), already located.
    var warnings: [String]

    /// Loads the config named by the command line (default `wrangler-like.toml` in the working
    /// directory) and prints its warnings.
    /// - Throws: the config's located error (`FILE:LINE:COL: what is wrong`).
    static func load(_ arguments: ParsedArguments, context: CLIContext) throws -> Project {
        let path = context.resolve(arguments.value("config") ?? "wrangler-like.toml")
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("config file not found: \(path) (pass --config FILE)")
        }
        let loaded = try ConfigLoader.load(path: path, environment: arguments.value("env"))
        for warning in loaded.warnings { context.printError("warning: \(warning)") }
        let state = arguments.value("persist-to").map(context.resolve)
            ?? (loaded.config.configDirectory as NSString).appendingPathComponent(".drover/state")
        return Project(config: loaded.config, stateDirectory: state, warnings: loaded.warnings.map { "\($0)" })
    }

    /// Stored secrets merged with `.dev.vars` (or `.dev.vars.<env>`), which wins as in wrangler.
    func secrets() throws -> [String: String] {
        let stored = try SecretStore(stateDirectory: stateDirectory).all()
        let devVars = try DevVars.load(configDirectory: config.configDirectory, environment: config.environmentName)
        return stored.merging(devVars) { _, fromDevVars in fromDevVars }
    }
}

/// A failure to report as `error: <message>` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
