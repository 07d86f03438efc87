import Foundation

/// Finds the fixtures `drover replay PATH...` runs: every `*.json` under the given files or
/// folders (default `Fixtures/`), sorted, optionally narrowed by `--filter TEXT`.
package enum FixtureDiscovery {
    /// The folder replayed when no path is given, relative to the project root.
    package static let defaultFolder = "Fixtures"

    /// Every fixture file under `paths`: a file is taken as given; a folder is searched
    /// recursively for `*.json`, skipping hidden files and folders. Sorted by path, without duplicates.
    /// - Throws: ``ReplayError`` `.missingPath` for a path that does not exist.
    package static func find(_ paths: [String]) throws(ReplayError) -> [String] {
        var found = Set<String>()
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ReplayError(code: .missingPath, message: "\(path): no such file or folder")
            }
            guard isDirectory.boolValue else {
                found.insert(path)
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else { continue }
            while let relative = enumerator.nextObject() as? String {
                let components = relative.split(separator: "/")
                if components.contains(where: { $0.hasPrefix(".") }) { continue }
                guard relative.hasSuffix(".json") else { continue }
                let full = (path as NSString).appendingPathComponent(relative)
                var entryIsDirectory: ObjCBool = false
                if manager.fileExists(atPath: full, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue { found.insert(full) }
            }
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether a fixture passes `--filter TEXT`: its name or its path contains `text`
    /// (no filter: every fixture). A fixture that could not be loaded has no name.
    package static func matches(path: String, name: String?, filter: String?) -> Bool {
        guard let filter, !filter.isEmpty else { return true }
        return path.contains(filter) || (name?.contains(filter) ?? false)
    }
}
