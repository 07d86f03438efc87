import Drover
import DroverD1
import DroverSQLite
import Foundation

/// `<state>/do/index.sqlite`: which objects each namespace has (with the name an id came from),
/// when each alarm is due, and which `[[migrations]]` tags were applied.
///
/// The alarm column is written before the object's own file, so it never misses an alarm the
/// file has; an entry the file no longer has (an alarm deleted inside a transaction) is checked
/// against the file when it falls due and dropped. At start the scheduler reads the alarms from
/// here instead of opening every object's file.
///
/// `@unchecked Sendable`: the connection is only used under `lock`.
final class ObjectIndex: @unchecked Sendable {
    /// One object as the index has it.
    struct Entry: Sendable, Equatable {
        var namespace: String
        var id: String
        var name: String?
        var alarm: Int64?
    }

    private let lock = NSLock()
    private let sqlite: SQLiteConnection

    /// Opens (creating when absent) the index at `path`.
    init(path: String) throws {
        do throws(SQLiteError) {
            sqlite = try SQLiteConnection(path: path, options: [.readWrite, .create, .noMutex])
            sqlite.setBusyTimeout(milliseconds: 5_000)
            try sqlite.execute(
                """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                CREATE TABLE IF NOT EXISTS objects (
                    namespace TEXT NOT NULL, id TEXT NOT NULL, name TEXT, alarm INTEGER,
                    PRIMARY KEY (namespace, id)) WITHOUT ROWID;
                CREATE INDEX IF NOT EXISTS objects_alarm ON objects (alarm) WHERE alarm IS NOT NULL;
                CREATE TABLE IF NOT EXISTS migrations (tag TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) WITHOUT ROWID;
                """)
        } catch {
            throw DurableObjectError("cannot open the Durable Objects index at \(path): \(error.description)")
        }
    }

    deinit {
        sqlite.close()
    }

    /// Records that `id` exists, with the name it came from when known.
    func recordObject(namespace: String, id: String, name: String?) throws {
        try run(
            """
            INSERT INTO objects (namespace, id, name) VALUES (?1, ?2, ?3)
            ON CONFLICT (namespace, id) DO UPDATE SET name = coalesce(excluded.name, name)
            """, [.text(namespace), .text(id), name.map(D1Value.text) ?? .null])
    }

    /// Records the alarm of `id` (`nil`: none).
    func setAlarm(_ alarm: Int64?, namespace: String, id: String) throws {
        try run(
            """
            INSERT INTO objects (namespace, id, alarm) VALUES (?1, ?2, ?3)
            ON CONFLICT (namespace, id) DO UPDATE SET alarm = excluded.alarm
            """, [.text(namespace), .text(id), alarm.map(D1Value.integer) ?? .null])
    }

    /// Every object with an alarm.
    func alarms() throws -> [Entry] {
        try entries("SELECT namespace, id, name, alarm FROM objects WHERE alarm IS NOT NULL ORDER BY alarm", [])
    }

    /// The objects of `namespace`, by id.
    func objects(namespace: String) throws -> [Entry] {
        try entries("SELECT namespace, id, name, alarm FROM objects WHERE namespace = ?1 ORDER BY id", [.text(namespace)])
    }

    /// The object `id` of `namespace`, when the index has it.
    func object(namespace: String, id: String) throws -> Entry? {
        try entries("SELECT namespace, id, name, alarm FROM objects WHERE namespace = ?1 AND id = ?2", [.text(namespace), .text(id)]).first
    }

    /// Forgets every object of `namespace` (its class was deleted).
    func forget(namespace: String) throws {
        try run("DELETE FROM objects WHERE namespace = ?1", [.text(namespace)])
    }

    /// The `[[migrations]]` tags applied to this state directory.
    func appliedMigrations() throws -> Set<String> {
        try locked { () throws(SQLiteError) -> Set<String> in
            guard let statement = try sqlite.prepare("SELECT tag FROM migrations", persistent: false).statement else { return [] }
            defer { statement.finalize() }
            var tags: Set<String> = []
            while try statement.step() { tags.insert(statement.text(0)) }
            return tags
        }
    }

    /// Records `tag` as applied.
    func recordMigration(_ tag: String, at milliseconds: Int64) throws {
        try run("INSERT OR IGNORE INTO migrations (tag, applied_at) VALUES (?1, ?2)", [.text(tag), .integer(milliseconds)])
    }

    // MARK: - Helpers

    private func run(_ sql: String, _ values: [D1Value]) throws {
        try locked { () throws(SQLiteError) in
            guard let statement = try sqlite.prepare(sql, persistent: false).statement else { return }
            defer { statement.finalize() }
            try statement.bind(values)
            try statement.run()
        }
    }

    private func entries(_ sql: String, _ values: [D1Value]) throws -> [Entry] {
        try locked { () throws(SQLiteError) -> [Entry] in
            guard let statement = try sqlite.prepare(sql, persistent: false).statement else { return [] }
            defer { statement.finalize() }
            try statement.bind(values)
            var entries: [Entry] = []
            while try statement.step() {
                entries.append(
                    Entry(
                        namespace: statement.text(0),
                        id: statement.text(1),
                        name: statement.isNull(2) ? nil : statement.text(2),
                        alarm: statement.isNull(3) ? nil : statement.int64(3)))
            }
            return entries
        }
    }

    private func locked<T>(_ body: () throws(SQLiteError) -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        do throws(SQLiteError) {
            return try body()
        } catch {
            throw DurableObjectError("the Durable Objects index: \(error.description)")
        }
    }
}
