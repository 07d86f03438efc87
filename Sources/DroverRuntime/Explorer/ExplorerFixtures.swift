import Drover
import Foundation

/// The fixtures `drover dev --record DIR` wrote in this session, for the dashboard to list and show.
enum ExplorerFixtures {
    /// Each fixture file of `directory` (name, size, modified), newest first; empty when not recording.
    static func list(_ directory: String?) throws -> [JSONValue] {
        guard let directory else { return [] }
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        let files = names.filter { $0.hasSuffix(".json") }.compactMap { name -> (String, Int64, Date)? in
            guard let attributes = try? manager.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(name)) else { return nil }
            return (name, (attributes[.size] as? NSNumber)?.int64Value ?? 0, attributes[.modificationDate] as? Date ?? .distantPast)
        }
        return files.sorted { $0.2 > $1.2 }.map {
            ["name": .string($0.0), "size": .integer($0.1), "modified_on": .string(VersionStore.timestamp($0.2))]
        }
    }

    /// The fixture `name` of `directory`, parsed.
    static func read(_ name: String, in directory: String?) throws -> JSONValue {
        let path = try path(of: name, in: directory)
        guard let data = FileManager.default.contents(atPath: path) else { throw ExplorerRefusal.notFound("no fixture \(name)", code: 7003) }
        return try ExplorerAPI.parseJSON(Array(data))
    }

    /// The path of the fixture `name` of `directory`: a plain file name ending in `.json`, nothing
    /// that could name a file elsewhere.
    static func path(of name: String, in directory: String?) throws -> String {
        guard let directory else { throw ExplorerRefusal.notFound("this session records no fixtures (drover dev --record DIR)", code: 7003) }
        guard name.hasSuffix(".json"), !name.contains("/"), !name.hasPrefix("."), !name.contains("\0") else {
            throw ExplorerRefusal(10000, "a fixture is named by its file name, NAME.json")
        }
        return (directory as NSString).appendingPathComponent(name)
    }
}
