import Foundation

/// `.dev.vars` (or `.env`): local secrets in dotenv syntax, beside the config file. Its entries become
/// secret bindings, and replace `[vars]` of the same name (``DroverConfig/effectiveVars(localValues:overrides:)``).
///
/// The files are chosen as wrangler chooses them
/// (https://developers.cloudflare.com/workers/local-development/environment-variables/): `.dev.vars.<env>`
/// alone when an environment is given and that file exists, else `.dev.vars`; only when neither exists,
/// the `.env` files, all that exist, merged with the most specific winning: `.env`, `.env.<env>`,
/// `.env.local`, `.env.<env>.local`. `CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false` turns the `.env`
/// files off, as in wrangler.
///
/// Syntax (dotenv, as wrangler reads it): `KEY=value` lines, optional `export ` prefix, `#` comments on their
/// own line or after whitespace in an unquoted value, single quotes (literal) and double quotes (with `\n`,
/// `\r`, `\t`, `\"`, `\\` escapes; other backslashes are kept), and quoted values spanning several lines.
/// Names are `[A-Za-z_][A-Za-z0-9_]*`, the same rule as stored secrets. A later duplicate wins.
package enum DevVars {
    /// Every file that could supply local values, whether it exists or not, in the order
    /// ``files(configDirectory:environment:processEnvironment:)`` considers them (for watching).
    package static func candidates(configDirectory: String, environment: String?) -> [String] {
        var names = [".dev.vars"]
        if let environment { names.insert(".dev.vars.\(environment)", at: 0) }
        names += dotEnvNames(environment: environment)
        return names.map { ConfigPaths.resolve($0, against: configDirectory) }
    }

    /// The files wrangler would read, least specific first (a later file's value wins).
    /// - Parameters:
    ///   - configDirectory: the folder holding the config file.
    ///   - environment: the selected environment, if any.
    ///   - processEnvironment: where `CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV` is looked up.
    /// - Returns: the paths; empty when there is no file.
    package static func files(
        configDirectory: String,
        environment: String?,
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        let manager = FileManager.default
        if let environment {
            let specific = ConfigPaths.resolve(".dev.vars.\(environment)", against: configDirectory)
            if manager.fileExists(atPath: specific) { return [specific] }
        }
        let plain = ConfigPaths.resolve(".dev.vars", against: configDirectory)
        if manager.fileExists(atPath: plain) { return [plain] }
        guard processEnvironment["CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV"]?.lowercased() != "false" else { return [] }
        return dotEnvNames(environment: environment)
            .map { ConfigPaths.resolve($0, against: configDirectory) }
            .filter { manager.fileExists(atPath: $0) }
    }

    /// The names `.dev.vars.example` beside the config lists (the file a project ships to say which
    /// secrets it needs, as the sample app does) that `present` lacks, sorted; nil when there is no
    /// example, it does not parse, or nothing is missing.
    package static func missingFromExample(configDirectory: String, present: Set<String>) -> (example: String, missing: [String])? {
        let example = ConfigPaths.resolve(".dev.vars.example", against: configDirectory)
        guard let data = FileManager.default.contents(atPath: example), let listed = try? parse(Array(data), file: example) else { return nil }
        let missing = listed.keys.filter { !present.contains($0) }.sorted()
        return missing.isEmpty ? nil : (example, missing)
    }

    /// `.env`, `.env.<env>`, `.env.local`, `.env.<env>.local`: least specific first.
    private static func dotEnvNames(environment: String?) -> [String] {
        guard let environment else { return [".env", ".env.local"] }
        return [".env", ".env.\(environment)", ".env.local", ".env.\(environment).local"]
    }

    /// Reads and parses the files chosen by ``files(configDirectory:environment:processEnvironment:)``.
    /// - Returns: the files read and their values merged, or nil when there is no file.
    /// - Throws: ``ConfigError`` (`FILE:LINE:COL: ...`) for a malformed file, or ``ConfigError/Kind/unreadable``.
    package static func load(
        configDirectory: String,
        environment: String?,
        processEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigError) -> (paths: [String], values: [String: Secret])? {
        let paths = files(configDirectory: configDirectory, environment: environment, processEnvironment: processEnvironment)
        guard !paths.isEmpty else { return nil }
        var values: [String: Secret] = [:]
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(.unreadable, "cannot read the file", file: path)
            }
            values.merge(try parse(Array(data), file: path)) { _, later in later }
        }
        return (paths, values)
    }

    /// Parses dotenv text.
    /// - Parameters:
    ///   - bytes: the file's bytes (UTF-8).
    ///   - file: the name used in errors.
    /// - Returns: name to value.
    /// - Throws: ``ConfigError`` of kind ``ConfigError/Kind/invalidDevVars`` naming line and column.
    package static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> [String: Secret] {
        var values: [String: Secret] = [:]
        var parser = DevVarsParser(bytes: bytes, file: file)
        for entry in try parser.parse() { values[entry.name] = Secret(entry.value) }
        return values
    }
}
