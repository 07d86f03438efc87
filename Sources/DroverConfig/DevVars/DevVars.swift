import Foundation

/// `.dev.vars`: local secrets in dotenv syntax, beside the config file. Its entries become secret bindings.
///
/// Syntax (dotenv, as wrangler reads it): `KEY=value` lines, optional `export ` prefix, `#` comments on their
/// own line or after whitespace in an unquoted value, single quotes (literal) and double quotes (with `\n`,
/// `\r`, `\t`, `\"`, `\\` escapes; other backslashes are kept), and quoted values spanning several lines.
/// Names are `[A-Za-z_][A-Za-z0-9_]*`, the same rule as stored secrets. A later duplicate wins.
public enum DevVars {
    /// The file wrangler would read: `.dev.vars.<env>` when an environment is given and that file exists
    /// (it is used *instead of* `.dev.vars`), else `.dev.vars` if it exists.
    /// - Parameters:
    ///   - configDirectory: the folder holding the config file.
    ///   - environment: the selected environment, if any.
    /// - Returns: the path, or nil when there is no file.
    public static func path(configDirectory: String, environment: String?) -> String? {
        let manager = FileManager.default
        if let environment {
            let specific = ConfigPaths.resolve(".dev.vars.\(environment)", against: configDirectory)
            if manager.fileExists(atPath: specific) { return specific }
        }
        let plain = ConfigPaths.resolve(".dev.vars", against: configDirectory)
        return manager.fileExists(atPath: plain) ? plain : nil
    }

    /// Reads and parses the file chosen by ``path(configDirectory:environment:)``.
    /// - Returns: the file's path and its values, or nil when there is no file.
    /// - Throws: ``ConfigError`` (`FILE:LINE:COL: ...`) for a malformed file, or ``ConfigError/Kind/unreadable``.
    public static func load(configDirectory: String, environment: String?) throws(ConfigError) -> (path: String, values: [String: Secret])? {
        guard let path = path(configDirectory: configDirectory, environment: environment) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(.unreadable, "cannot read the file", file: path)
        }
        return (path, try parse(Array(data), file: path))
    }

    /// Parses dotenv text.
    /// - Parameters:
    ///   - bytes: the file's bytes (UTF-8).
    ///   - file: the name used in errors.
    /// - Returns: name to value.
    /// - Throws: ``ConfigError`` of kind ``ConfigError/Kind/invalidDevVars`` naming line and column.
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> [String: Secret] {
        var values: [String: Secret] = [:]
        var parser = DevVarsParser(bytes: bytes, file: file)
        for entry in try parser.parse() { values[entry.name] = Secret(entry.value) }
        return values
    }
}
