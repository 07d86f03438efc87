import Foundation

/// A loaded configuration and the warnings found while loading it.
package struct LoadedConfig: Sendable {
    /// The resolved configuration.
    package var config: DroverConfig
    /// Unknown keys and non-inherited bindings, in file order; print them, they do not stop anything.
    package var warnings: [ConfigWarning]

    /// Creates a result.
    package init(config: DroverConfig, warnings: [ConfigWarning] = []) {
        self.config = config
        self.warnings = warnings
    }
}

/// Loads `wrangler-like.toml` (TOML 1.0.0) into a ``DroverConfig``, the entry point for the CLI and runtime.
package enum ConfigLoader {
    /// Reads the config file, applies the environment, and adds secrets from `.dev.vars` (or
    /// `.dev.vars.<env>`, or the `.env` files: ``DevVars``) beside it and, if a state folder is given,
    /// from the ``SecretStore`` there (`.dev.vars` wins).
    /// - Parameters:
    ///   - configPath: the config file (relative to the current directory or absolute); messages use it as given.
    ///   - environment: `--env NAME`, or nil for the top level.
    ///   - stateDirectory: the state folder whose stored secrets to merge, or nil to skip them.
    /// - Returns: the configuration and its warnings.
    /// - Throws: ``ConfigError`` with `FILE:LINE:COL` for the first problem.
    package static func load(
        configPath: String,
        environment: String? = nil,
        stateDirectory: String? = nil
    ) throws(ConfigError)
        -> LoadedConfig
    {
        guard let data = FileManager.default.contents(atPath: configPath) else {
            let exists = FileManager.default.fileExists(atPath: configPath)
            throw ConfigError(.unreadable, exists ? "cannot read the config file" : "config file not found", file: configPath)
        }
        return try load(bytes: Array(data), configPath: configPath, environment: environment, stateDirectory: stateDirectory)
    }

    /// ``load(configPath:environment:stateDirectory:)`` of config bytes kept elsewhere — a deployed
    /// version's snapshot — read as if they were the file at `configPath`: relative paths, `.dev.vars`
    /// and the `.env` files resolve beside it.
    /// - Throws: ``ConfigError`` with `FILE:LINE:COL` for the first problem.
    package static func load(
        bytes: [UInt8],
        configPath: String,
        environment: String? = nil,
        stateDirectory: String? = nil
    ) throws(ConfigError) -> LoadedConfig {
        var loaded = try decode(bytes, configPath: configPath, environment: environment)
        var secrets: [String: Secret] = [:]
        if let stateDirectory { secrets = try SecretStore(stateDirectory: stateDirectory).all() }
        if let devVars = try DevVars.load(configDirectory: loaded.config.configDirectory, environment: environment) {
            secrets = SecretStore.merged(stored: secrets, devVars: devVars.values)
            loaded.config.devVarsPaths = devVars.paths
            loaded.config.devVars = devVars.values
        }
        loaded.config.secrets = secrets
        return loaded
    }

    /// Decodes config bytes without touching the file system (no `.dev.vars`, no stored secrets).
    /// - Parameters:
    ///   - bytes: the TOML document.
    ///   - configPath: the file it came from; relative paths in it resolve against its folder.
    ///   - environment: `--env NAME`, or nil.
    /// - Returns: the configuration and its warnings.
    /// - Throws: ``ConfigError`` with `FILE:LINE:COL` for the first problem.
    package static func decode(_ bytes: [UInt8], configPath: String, environment: String? = nil) throws(ConfigError) -> LoadedConfig {
        let table: TOMLTable
        do throws(TOMLError) {
            table = try TOMLParser.parse(bytes, fileName: configPath)
        } catch {
            throw ConfigError(error)
        }
        let absolute = ConfigPaths.absolute(configPath)
        var decoder = ConfigDecoder(file: configPath, configDirectory: (absolute as NSString).deletingLastPathComponent)
        let config = try decoder.resolve(table, environment: environment, configPath: absolute)
        return LoadedConfig(config: config, warnings: decoder.warnings)
    }
}
