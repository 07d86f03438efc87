import Drover
import DroverD1
import Foundation

/// A fresh folder per test, removed at the end.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("drover-d1-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

enum TestDatabase {
    /// A database in `directory`, with `readers` read connections and a `timeLimit` per statement.
    static func make(
        in directory: borrowing TemporaryDirectory,
        name: String = "DB",
        readers: Int = 2,
        timeLimit: Duration = .seconds(30)
    ) throws
        -> SQLiteD1Database
    {
        try SQLiteD1Database(
            path: SQLiteD1Database.path(stateDirectory: directory.path, databaseName: name),
            logger: .disabled,
            readers: readers,
            timeLimit: timeLimit
        )
    }

    /// Runs `body` and returns the D1 error message it threw, or nil.
    static func errorMessage(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch let error as D1Error {
            return error.message
        } catch {
            return "\(error)"
        }
    }
}
