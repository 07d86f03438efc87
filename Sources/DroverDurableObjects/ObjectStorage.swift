import Dispatch
import Drover
import DroverD1
import DroverSQLite
import Foundation

/// One Durable Object's storage: a SQLite file of its own, readable with `sqlite3`.
///
/// The key-value API lives in the table `_cf_KV` (`key TEXT PRIMARY KEY, value BLOB`, the value
/// as JSON text) and the alarm in `_cf_METADATA`, as on the platform, whose names beginning with
/// `_cf_` users' SQL cannot touch; everything else in the file is the object's own SQL.
///
/// Every call takes the storage's lock and writes before it returns (WAL, `synchronous = NORMAL`:
/// a committed write survives the process being killed). The lock is recursive, so a
/// ``transactionSync(_:)`` body calls back in; `@unchecked Sendable` because the connection and the
/// caches are only touched under it.
final class ObjectStorage: DurableObjectStorage, SqlStorage, @unchecked Sendable {
    /// The limits of a class created with `new_classes` (key-value storage), which workerd checks
    /// (`io/actor-storage.c++`); a SQLite-backed class meets only SQLite's own (`SQLITE_TOOBIG`).
    enum Limits {
        static let keyBytes = 2048
        static let valueBytes = 131_072
        /// workerd allows this much serialisation overhead over ``valueBytes``.
        static let valueOverhead = 34
        static let keysPerGet = 128
        /// How long one storage operation may run.
        static let timeLimit: UInt64 = 30_000_000_000
    }

    /// The object's id.
    let id: DurableObjectId
    /// The SQLite file.
    let path: String
    /// Whether the class has the SQL API (`new_sqlite_classes`).
    let hasSQL: Bool
    /// Whether ``deleteAll()`` deletes the alarm too (compatibility date 2026-02-24 and later).
    let deleteAllDeletesAlarm: Bool
    /// Told of every alarm change, before the file is (so the alarm index is never missing one).
    private let onAlarmChange: @Sendable (DurableObjectId, Int64?) throws(DurableObjectError) -> Void
    /// The clock's time in milliseconds: a past alarm is moved to it.
    private let now: @Sendable () -> Int64

    private let lock = NSRecursiveLock()
    private let sqlite: SQLiteConnection
    private var scope: D1Authorizer.Scope = .user
    private var ownStatements: [String: SQLiteStatement] = [:]
    private var userStatements: [String: SQLiteStatement] = [:]
    private var deadline: UInt64 = 0
    private var savepointDepth = 0
    private var isClosed = false
    /// The alarm whose `alarm()` runs now, and whether the handler set or deleted the alarm since.
    private var alarmRun: (scheduled: Int64, replaced: Bool)?
    /// How many times the alarm was set or deleted: a rolled-back transaction that changed it
    /// tells the index the file's alarm again.
    private var alarmWrites = 0

    /// Opens (creating when absent) the storage of `id` at `path`.
    init(
        id: DurableObjectId,
        path: String,
        hasSQL: Bool,
        deleteAllDeletesAlarm: Bool,
        now: @escaping @Sendable () -> Int64,
        onAlarmChange: @escaping @Sendable (DurableObjectId, Int64?) throws(DurableObjectError) -> Void
    ) throws(DurableObjectError) {
        self.id = id
        self.path = path
        self.hasSQL = hasSQL
        self.deleteAllDeletesAlarm = deleteAllDeletesAlarm
        self.now = now
        self.onAlarmChange = onAlarmChange
        do throws(SQLiteError) {
            sqlite = try SQLiteConnection(path: path, options: [.readWrite, .create, .noMutex])
        } catch {
            throw DurableObjectError("cannot open the storage of Durable Object \(id) at \(path): \(error.message)")
        }
        do throws(SQLiteError) {
            // `unowned`: the connection, and so its callbacks, never outlive `self`.
            try sqlite.applyWorkerdRules(busyTimeoutMilliseconds: 5_000) { [unowned self] in scope }
            sqlite.setProgressHandler(every: 10_000) { [unowned self] in
                deadline != 0 && DispatchTime.now().uptimeNanoseconds > deadline
            }
            scope = .trusted
            defer { scope = .user }
            try sqlite.execute(
                """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA foreign_keys = ON;
                CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS _cf_METADATA (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
                """)
        } catch {
            sqlite.close()
            throw DurableObjectError("cannot open the storage of Durable Object \(id) at \(path): \(error.description)")
        }
    }

    deinit {
        close()
    }

    /// Finalizes the statements and closes the file; later calls throw.
    func close() {
        lock.withLock {
            guard !isClosed else { return }
            isClosed = true
            for statement in ownStatements.values { statement.finalize() }
            for statement in userStatements.values { statement.finalize() }
            ownStatements = [:]
            userStatements = [:]
            sqlite.close()
        }
    }

    // MARK: - Key-value API

    func get(_ key: String) throws -> JSONValue? {
        try checkKey(key)
        return try own("SELECT value FROM _cf_KV WHERE key = ?1", [.text(key)]) { statement -> JSONValue? in
            // Not `cond ? value : nil`: JSONValue is ExpressibleByNilLiteral, so that nil is JSON null.
            guard try statement.step() else { return .none }
            return try Self.decode(statement.blob(0))
        }
    }

    func get(_ keys: [String]) throws -> JSONObject {
        if !hasSQL && keys.count > Limits.keysPerGet {
            throw DurableObjectError("Maximum number of key value pairs is \(Limits.keysPerGet). \(keys.count) pairs were provided.")
        }
        try checkKeys(keys)
        var found: [(String, JSONValue)] = []
        for key in Set(keys).sorted(by: Self.byteOrder) {
            if let value = try get(key) { found.append((key, value)) }
        }
        return JSONObject(found)
    }

    func put(_ key: String, _ value: JSONValue) throws {
        try checkKey(key)
        let bytes = try encode(value)
        try own("INSERT OR REPLACE INTO _cf_KV (key, value) VALUES (?1, ?2)", [.text(key), .blob(bytes)]) { try $0.run() }
    }

    func put(_ entries: JSONObject) throws {
        try checkKeys(entries.keys)
        let encoded = try entries.map { entry throws -> (String, [UInt8]) in (entry.key, try encode(entry.value)) }
        try transactionSync {
            for (key, bytes) in encoded {
                try own("INSERT OR REPLACE INTO _cf_KV (key, value) VALUES (?1, ?2)", [.text(key), .blob(bytes)]) { try $0.run() }
            }
        }
    }

    @discardableResult func delete(_ key: String) throws -> Bool {
        try checkKey(key)
        return try own("DELETE FROM _cf_KV WHERE key = ?1", [.text(key)]) { statement in
            try statement.run()
            return sqlite.changes > 0
        }
    }

    @discardableResult func delete(_ keys: [String]) throws -> Int {
        try checkKeys(keys)
        return try transactionSync {
            var deleted = 0
            for key in Set(keys) where try delete(key) { deleted += 1 }
            return deleted
        }
    }

    func list(_ options: DurableObjectListOptions) throws -> JSONObject {
        if options.start != nil && options.startAfter != nil {
            throw DurableObjectError(Messages.startAndStartAfter)
        }
        if let limit = options.limit, limit <= 0 {
            throw DurableObjectError(Messages.listLimit)
        }
        var conditions: [String] = []
        var values: [D1Value] = []
        func condition(_ sql: String, _ value: String) {
            values.append(.text(value))
            conditions.append(sql.replacingOccurrences(of: "?", with: "?\(values.count)"))
        }
        if let start = options.start { condition("key >= ?", start) }
        if let startAfter = options.startAfter { condition("key > ?", startAfter) }
        if let end = options.end { condition("key < ?", end) }
        if let prefix = options.prefix, !prefix.isEmpty {
            values.append(.text(prefix))
            let parameter = "?\(values.count)"
            // The range start lets SQLite seek; the prefix test counts characters on both sides alike.
            conditions.append("key >= \(parameter)")
            conditions.append("substr(key, 1, length(\(parameter))) = \(parameter)")
        }
        var sql = "SELECT key, value FROM _cf_KV"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += options.reverse ? " ORDER BY key DESC" : " ORDER BY key"
        if let limit = options.limit {
            // Bound, not written in: one cached statement whatever the limit.
            values.append(.integer(Int64(limit)))
            sql += " LIMIT ?\(values.count)"
        }
        return try own(sql, values) { statement in
            var entries: [(String, JSONValue)] = []
            while try statement.step() {
                entries.append((statement.text(0), try Self.decode(statement.blob(1))))
            }
            return JSONObject(entries)
        }
    }

    func deleteAll() throws {
        try locked {
            try checkOpen()
            if savepointDepth > 0 { throw DurableObjectError(Messages.deleteAllInTransaction) }
            try trusted {
                // Dropping a table its rows' foreign keys point at fails with the check on: off
                // for the drop (the pragma is a no-op inside a transaction, so before BEGIN).
                // Views and triggers go first, then virtual tables (which drop their shadow
                // tables, refused on their own in defensive mode: `IF EXISTS` skips them after).
                try sqlite.execute("PRAGMA foreign_keys = OFF")
                defer { try? sqlite.execute("PRAGMA foreign_keys = ON") }
                try sqlite.execute("BEGIN IMMEDIATE")
                do {
                    for statement in userStatements.values { statement.finalize() }
                    userStatements = [:]
                    var drops: [String] = []
                    let (listing, _) = try sqlite.prepare(
                        """
                        SELECT type, name FROM sqlite_master
                        WHERE type IN ('view', 'trigger', 'table') AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'
                          AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
                        ORDER BY CASE WHEN type <> 'table' THEN 0 WHEN sql LIKE 'CREATE VIRTUAL TABLE%' THEN 1 ELSE 2 END
                        """, persistent: false)
                    if let listing {
                        defer { listing.finalize() }
                        while try listing.step() {
                            drops.append("DROP \(listing.text(0).uppercased()) IF EXISTS \"\(listing.text(1).replacingOccurrences(of: "\"", with: "\"\""))\"")
                        }
                    }
                    for drop in drops { try sqlite.execute(drop) }
                    try sqlite.execute("DELETE FROM _cf_KV")
                    if deleteAllDeletesAlarm { try sqlite.execute("DELETE FROM _cf_METADATA WHERE key IN ('alarm', 'alarm_retries')") }
                    try sqlite.execute("COMMIT")
                } catch {
                    try? sqlite.execute("ROLLBACK")
                    throw error
                }
            }
            if deleteAllDeletesAlarm {
                if alarmRun != nil { alarmRun?.replaced = true }
                try onAlarmChange(id, nil)
            }
        }
    }

    func transactionSync<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try checkOpen()
        let name = "_cf_sync_savepoint_\(savepointDepth)"
        try trusted { try sqlite.execute("SAVEPOINT \(name)") }
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let (writesBefore, replacedBefore) = (alarmWrites, alarmRun?.replaced)
        do {
            let result = try body()
            try trusted { try sqlite.execute("RELEASE \(name)") }
            return result
        } catch {
            try? trusted {
                try sqlite.execute("ROLLBACK TO \(name)")
                try sqlite.execute("RELEASE \(name)")
            }
            if alarmWrites != writesBefore {
                // The alarm is the file's again: so are the index and a running alarm's state.
                if let replacedBefore { alarmRun?.replaced = replacedBefore }
                try? onAlarmChange(id, try? storedAlarm())
            }
            throw error
        }
    }

    // MARK: - SQL API

    var sql: any SqlStorage { self }

    func exec(_ query: String, _ bindings: [SqlStorageValue]) throws -> SqlStorageCursor {
        guard hasSQL else { throw DurableObjectError(Messages.noSQL) }
        return try locked {
            try checkOpen()
            return try execLocked(query, bindings)
        }
    }

    /// (page count − free pages) × page size, as workerd counts it.
    var databaseSize: Int64 {
        get throws {
            guard hasSQL else { throw DurableObjectError(Messages.noSQL) }
            return try locked {
                try checkOpen()
                return try trusted { () -> Int64 in
                    try (integer("PRAGMA page_count") - integer("PRAGMA freelist_count")) * integer("PRAGMA page_size")
                }
            }
        }
    }

    /// Runs each statement of `query`; the cursor holds the last one's rows.
    private func execLocked(_ query: String, _ bindings: [SqlStorageValue]) throws -> SqlStorageCursor {
        if let statement = userStatements[query] {
            return try run(statement, query: query, bindings: bindings, isLast: true)
        }
        var cursor: SqlStorageCursor?
        var failure: DurableObjectError?
        query.utf8CString.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var position: UnsafePointer<CChar> = base
            var isFirst = true
            while position.pointee != 0 {
                let prepared: (statement: SQLiteStatement?, tail: UnsafePointer<CChar>?)
                do throws(SQLiteError) {
                    prepared = try sqlite.prepare(position, byteCount: buffer.count - (position - base), persistent: isFirst)
                } catch {
                    failure = Self.failure(error, statement: String(cString: position))
                    return
                }
                guard let statement = prepared.statement else { break }
                let isLast = SQLText.isBlank(prepared.tail)
                let cacheable = isFirst && isLast && userStatements.count < 128
                defer { if !cacheable { statement.finalize() } }
                if cacheable { userStatements[query] = statement }
                isFirst = false
                do throws(DurableObjectError) {
                    // The statements before the last run for their effect; the cursor, its rows
                    // and its counts are the last one's, as on the platform.
                    cursor = try run(statement, query: query, bindings: isLast ? bindings : [], isLast: isLast)
                } catch {
                    failure = error
                    return
                }
                guard let tail = prepared.tail, !isLast else { break }
                position = tail
            }
        }
        if let failure { throw failure }
        guard let cursor else { throw DurableObjectError(Messages.noStatements) }
        return cursor
    }

    /// Binds, steps to the end and resets one of the user's statements.
    private func run(_ statement: SQLiteStatement, query: String, bindings: [SqlStorageValue], isLast: Bool) throws(DurableObjectError) -> SqlStorageCursor {
        defer { statement.reset() }
        guard Int(statement.parameterCount) == bindings.count else {
            throw DurableObjectError(isLast ? Messages.wrongBindingCount : Messages.bindingsNotLast)
        }
        let changesBefore = sqlite.totalChanges
        var rows: [D1Row] = []
        var columns: [String] = []
        deadline = DispatchTime.now().uptimeNanoseconds &+ Limits.timeLimit
        defer { deadline = 0 }
        do throws(SQLiteError) {
            try statement.bind(bindings)
            _ = statement.status(.fullScanSteps, reset: true)
            var hasRow = try statement.step()
            columns = statement.columnNames()
            let count = statement.columnCount
            while hasRow {
                var values: [D1Value] = []
                values.reserveCapacity(Int(count))
                for column in 0..<count { values.append(statement.value(at: column)) }
                rows.append(D1Row(columns: columns, values: values))
                hasRow = try statement.step()
            }
        } catch {
            throw Self.failure(error, statement: statement.sql)
        }
        let scanned = Int(statement.status(.fullScanSteps, reset: true))
        let written = statement.isReadOnly ? 0 : Int(sqlite.totalChanges - changesBefore)
        let read = max(scanned > 0 ? scanned + 1 : 0, rows.count, written)
        return SqlStorageCursor(columnNames: columns, rows: rows, rowsRead: read, rowsWritten: written)
    }

    // MARK: - Alarm

    func getAlarm() throws -> Int64? {
        try locked { () -> Int64? in
            // While alarm() runs, its alarm no longer counts as set (unless the handler set one).
            if let run = alarmRun, !run.replaced { return nil }
            return try storedAlarm()
        }
    }

    func setAlarm(_ scheduledTime: Int64) throws {
        guard scheduledTime > 0 else { throw DurableObjectError(Messages.alarmNotPositive) }
        try locked {
            try checkOpen()
            let time = max(scheduledTime, now())
            alarmWrites += 1
            try onAlarmChange(id, time)
            try own("INSERT OR REPLACE INTO _cf_METADATA (key, value) VALUES ('alarm', ?1)", [.integer(time)]) { try $0.run() }
            try setMetadata("alarm_retries", nil)
            if alarmRun != nil { alarmRun?.replaced = true }
        }
    }

    func deleteAlarm() throws {
        try locked {
            alarmWrites += 1
            try own("DELETE FROM _cf_METADATA WHERE key IN ('alarm', 'alarm_retries')", []) { try $0.run() }
            if alarmRun != nil { alarmRun?.replaced = true }
            // Inside a transaction the delete may be rolled back: the index keeps the entry, which
            // is checked against the file when it falls due.
            if savepointDepth == 0 { try onAlarmChange(id, nil) }
        }
    }

    /// The alarm as the file has it, even while `alarm()` runs (for the scheduler's index).
    func storedAlarmForIndex() throws -> Int64? {
        try locked { try storedAlarm() }
    }

    /// The alarm as the file has it.
    private func storedAlarm() throws -> Int64? {
        try own("SELECT value FROM _cf_METADATA WHERE key = 'alarm'", []) { statement in
            try statement.step() ? statement.int64(0) : nil
        }
    }

    /// Starts a run of `alarm()` when the alarm is due at `now`: from here until
    /// ``finishAlarm(retryAt:retries:)``, `getAlarm()` answers `nil` unless the handler sets a new
    /// one. The alarm stays in the file meanwhile, so a crash during the run runs it again.
    /// - Returns: the alarm's time; `nil` when none is due (nothing starts).
    func beginAlarm(dueAt now: Int64) throws -> Int64? {
        try locked { () -> Int64? in
            guard alarmRun == nil, let scheduled = try storedAlarm(), scheduled <= now else { return nil }
            alarmRun = (scheduled, false)
            return scheduled
        }
    }

    /// Ends the run begun by ``beginAlarm(dueAt:)``: deletes the alarm, or with `retryAt` sets it
    /// for its next retry and records `retries` — unless the handler set or deleted the alarm.
    /// - Returns: whether the handler did (nothing was changed then).
    @discardableResult
    func finishAlarm(retryAt: Int64?, retries: Int?) throws -> Bool {
        try locked { () -> Bool in
            guard let run = alarmRun else { return false }
            alarmRun = nil
            if run.replaced { return true }
            if let retryAt {
                try onAlarmChange(id, retryAt)
                try own("INSERT OR REPLACE INTO _cf_METADATA (key, value) VALUES ('alarm', ?1)", [.integer(retryAt)]) { try $0.run() }
                try setMetadata("alarm_retries", retries.map { .integer(Int64($0)) })
            } else {
                try own("DELETE FROM _cf_METADATA WHERE key IN ('alarm', 'alarm_retries')", []) { try $0.run() }
                try onAlarmChange(id, nil)
            }
            return false
        }
    }

    /// A value of Drover's own in `_cf_METADATA` (the object's name, the alarm's retries).
    func metadata(_ key: String) throws -> D1Value? {
        try own("SELECT value FROM _cf_METADATA WHERE key = ?1", [.text(key)]) { statement in
            // Not `cond ? value : nil`: D1Value is ExpressibleByNilLiteral, so that nil is SQL NULL.
            guard try statement.step() else { return D1Value?.none }
            return statement.value(at: 0)
        }
    }

    /// Sets (or, with `nil`, deletes) a value of Drover's own in `_cf_METADATA`.
    func setMetadata(_ key: String, _ value: D1Value?) throws {
        if let value {
            try own("INSERT OR REPLACE INTO _cf_METADATA (key, value) VALUES (?1, ?2)", [.text(key), value]) { try $0.run() }
        } else {
            try own("DELETE FROM _cf_METADATA WHERE key = ?1", [.text(key)]) { try $0.run() }
        }
    }

    // MARK: - Helpers

    /// Runs Drover's own `sql` with `values` bound, from a cache of prepared statements, under the
    /// lock and in the trusted scope.
    private func own<T>(_ sql: String, _ values: [D1Value], _ body: (SQLiteStatement) throws -> T) throws -> T {
        try locked { () -> T in
            try checkOpen()
            return try trusted { () -> T in
                let statement: SQLiteStatement
                if let cached = ownStatements[sql] {
                    statement = cached
                } else {
                    guard let prepared = try sqlite.prepare(sql, persistent: true).statement else {
                        preconditionFailure("Drover's own SQL is empty: \(sql)")
                    }
                    ownStatements[sql] = prepared
                    statement = prepared
                }
                defer { statement.reset() }
                try statement.bind(values)
                return try body(statement)
            }
        }
    }

    /// Runs Drover's own SQL: the authorizer allows `_cf_` tables and savepoints. SQLite's errors
    /// come out as ``DurableObjectError``s.
    private func trusted<T>(_ body: () throws -> T) throws -> T {
        let previous = scope
        scope = .trusted
        defer { scope = previous }
        do {
            return try body()
        } catch let error as SQLiteError {
            throw Self.failure(error, statement: nil)
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func integer(_ sql: String) throws(SQLiteError) -> Int64 {
        guard let statement = try sqlite.prepare(sql, persistent: false).statement else { return 0 }
        defer { statement.finalize() }
        return try statement.step() ? statement.int64(0) : 0
    }

    private func checkOpen() throws(DurableObjectError) {
        if isClosed { throw DurableObjectError(Messages.closed) }
    }

    private func checkKey(_ key: String) throws(DurableObjectError) {
        let size = key.utf8.count
        if !hasSQL && size > Limits.keyBytes {
            throw DurableObjectError("Keys cannot be larger than \(Limits.keyBytes) bytes. A key of size \(size) was provided.")
        }
    }

    private func checkKeys(_ keys: [String]) throws(DurableObjectError) {
        for key in keys { try checkKey(key) }
    }

    private func encode(_ value: JSONValue) throws(DurableObjectError) -> [UInt8] {
        let bytes = JSONSerializer.bytes(value)
        if !hasSQL && bytes.count > Limits.valueBytes + Limits.valueOverhead {
            throw DurableObjectError("Values cannot be larger than \(Limits.valueBytes) bytes. A value of size \(bytes.count) was provided.")
        }
        return bytes
    }

    private static func decode(_ bytes: [UInt8]) throws(SQLiteError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            // Only Drover writes _cf_KV; a value it cannot read was written by something else.
            throw SQLiteError(code: 11, message: "a value in _cf_KV is not JSON (\(error))")
        }
    }

    /// Keys in UTF-8 byte order, as SQLite's BINARY collation and the platform order them.
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// SQLite's failure in the platform's words: `<message>: <SQLITE_CODE>`, with the platform's
    /// own messages for a transaction statement and a statement stopped at the time limit.
    static func failure(_ error: SQLiteError, statement: String?) -> DurableObjectError {
        if error.isInterruption { return DurableObjectError(Messages.timeLimit) }
        if error.codeName == "SQLITE_AUTH", let statement,
            ["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains(SQLText.firstKeyword(statement))
        {
            return DurableObjectError(Messages.transactionStatement)
        }
        return DurableObjectError(error.description)
    }

    enum Messages {
        static let transactionStatement =
            "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing."
        /// Local workerd's words (the missing space after "directly," is theirs).
        static let noSQL =
            "SQL is not enabled for this Durable Object class. To enable it, change `new_classes` to `new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or wrangler.toml file. If using workerd directly,set `enableSql = true` in your workerd config for the class. Note that this change cannot be made after the class is already deployed to production."
        static let noStatements = "SQL code did not contain a statement."
        static let bindingsNotLast = "When executing multiple SQL statements in a single call, only the last statement can have parameters."
        static let wrongBindingCount = "Wrong number of parameter bindings for SQL query."
        static let startAndStartAfter = "list() cannot be called with both start and startAfter values."
        static let listLimit = "List limit must be positive."
        static let deleteAllInTransaction = "Cannot call deleteAll() within a transaction"
        static let alarmNotPositive = "setAlarm() cannot be called with an alarm time <= 0"
        static let closed = "This Durable Object's storage is closed: the object was evicted or the server is shutting down."
        static let timeLimit = "Durable Object storage operation exceeded timeout which caused object to be reset."
    }
}
