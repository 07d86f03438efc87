import Foundation

/// Path helpers for resolving config-relative paths.
enum ConfigPaths {
    /// `path` if absolute, else `directory/path`, standardized.
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((directory as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// The absolute, standardized form of `path` (relative to the current directory).
    static func absolute(_ path: String) -> String {
        resolve(path, against: FileManager.default.currentDirectoryPath)
    }
}
