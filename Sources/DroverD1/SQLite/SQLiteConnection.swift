import CSQLite
import Drover
import Foundation

/// The `SQLITE_TRANSIENT` destructor: SQLite copies bound text and blobs before `bind` returns.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One libsqlite3 connection configured as D1 configures its databases.
///
/// Confined to one serial queue (``ConnectionActor``), so it is opened in SQLite's multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`, https://sqlite.org/threadsafe.html). On open it sets, as every D1
/// database has them: `foreign_keys = ON`, WAL journal mode (https://sqlite.org/wal.html), a busy
/// timeout, and the platform limits (https://developers.cloudflare.com/d1/platform/limits/) through
/// `sqlite3_limit` (https://sqlite.org/c3ref/limit.html) and an authorizer refusing `ATTACH`,
/// `DETACH` and hand-written transactions (D1 runs transactions only through `batch`).
///
/// `@unchecked Sendable`: safe because every call happens on the owning ``ConnectionActor``'s serial
/// queue (actor-isolated `run` or `queue.sync`), never on two threads at once.
final class SQLiteConnection: @unchecked Sendable {
    /// D1's limits, set on every connection.
    enum Limits {
        static let boundParameters: Int32 = 100
        static let statementBytes: Int32 = 100_000
        static let columns: Int32 = 100
        static let likePatternBytes: Int32 = 50
        static let attachedDatabases: Int32 = 0
    }

    /// A prepared statement kept for reuse, with whether it only reads.
    final class CachedStatement {
        let handle: OpaquePointer
        let isReadOnly: Bool
        let parameterCount: Int32
        let isSchemaChange: Bool
        var lastUse: UInt64 = 0
        /// SQLite's full-scan step counter holds counts of runs that did not read it (`first()`).
        var fullScanCountIsStale = false
        /// The column names, and SQLite's re-prepare count when they were read.
        private var columns: [String] = []
        private var columnsPreparation: Int32 = -1

        init(handle: OpaquePointer) {
            self.handle = handle
            self.isReadOnly = sqlite3_stmt_readonly(handle) != 0
            self.parameterCount = sqlite3_bind_parameter_count(handle)
            self.isSchemaChange = SQLiteConnection.isSchemaChange(handle)
        }

        /// The statement's column names, read from SQLite again only after SQLite re-prepared the
        /// statement (a schema change can change what `SELECT *` returns,
        /// https://sqlite.org/c3ref/c_stmtstatus_counter.html `SQLITE_STMTSTATUS_REPREPARE`).
        func columnNames() -> [String] {
            let preparation = sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
            if preparation != columnsPreparation {
                columns = SQLiteConnection.columnNames(handle)
                columnsPreparation = preparation
            }
            return columns
        }
    }

    /// The column names of `statement`, in order (duplicates kept).
    static func columnNames(_ statement: OpaquePointer) -> [String] {
        let count = sqlite3_column_count(statement)
        var names: [String] = []
        names.reserveCapacity(Int(count))
        for column in 0..<count {
            names.append(sqlite3_column_name(statement, column).map { String(cString: $0) } ?? "")
        }
        return names
    }

    let handle: OpaquePointer
    let path: String
    let isReader: Bool
    /// Whether the authorizer lets `BEGIN`/`COMMIT`/`SAVEPOINT` through (only Drover's own).
    fileprivate(set) var allowsTransactions = false
    private var cache: [String: CachedStatement] = [:]
    /// The last statement looked up: a batch repeating one SQL text skips hashing it.
    private var lastLookup: (sql: String, entry: CachedStatement)?
    private var useCounter: UInt64 = 0
    private let cacheCapacity = 64
    private var closed = false

    /// Opens (creating when `create`) the database at `path`.
    /// - Throws: ``D1Error`` `D1_ERROR: <sqlite message>` when the file cannot be opened.
    init(path: String, isReader: Bool, busyTimeoutMilliseconds: Int32 = 5_000) throws(D1Error) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw D1Error("D1_ERROR: cannot open database at \(path): \(message)")
        }
        self.handle = db
        self.path = path
        self.isReader = isReader
        do {
            try configure(busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            sqlite3_close_v2(db)
            throw error
        }
    }

    deinit {
        close()
    }

    /// Finalizes cached statements and closes the connection; later calls do nothing.
    func close() {
        guard !closed else { return }
        closed = true
        lastLookup = nil
        for entry in cache.values { sqlite3_finalize(entry.handle) }
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    var isClosed: Bool { closed }

    private func configure(busyTimeoutMilliseconds: Int32) throws(D1Error) {
        sqlite3_extended_result_codes(handle, 1)
        // A busy database is retried for this long before SQLITE_BUSY (https://sqlite.org/c3ref/busy_timeout.html).
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        sqlite3_limit(handle, SQLITE_LIMIT_VARIABLE_NUMBER, Limits.boundParameters)
        sqlite3_limit(handle, SQLITE_LIMIT_SQL_LENGTH, Limits.statementBytes)
        sqlite3_limit(handle, SQLITE_LIMIT_COLUMN, Limits.columns)
        sqlite3_limit(handle, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, Limits.likePatternBytes)
        sqlite3_limit(handle, SQLITE_LIMIT_ATTACHED, Limits.attachedDatabases)
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_set_authorizer(
            handle,
            { context, action, _, _, _, _ in
                guard let context else { return SQLITE_OK }
                switch action {
                case SQLITE_ATTACH, SQLITE_DETACH:
                    return SQLITE_DENY
                case SQLITE_TRANSACTION, SQLITE_SAVEPOINT:
                    let connection = Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue()
                    return connection.allowsTransactions ? SQLITE_OK : SQLITE_DENY
                default:
                    return SQLITE_OK
                }
            },
            context
        )
        try executeInternal("PRAGMA foreign_keys = ON")
        if isReader {
            try executeInternal("PRAGMA query_only = ON")
        } else {
            try executeInternal("PRAGMA journal_mode = WAL")
            try executeInternal("PRAGMA synchronous = NORMAL")
        }
    }

    // MARK: - Errors

    /// The connection's last error as D1 words it: `<message>: <SQLITE_CODE>`.
    func lastErrorMessage(code: Int32) -> String {
        "\(String(cString: sqlite3_errmsg(handle))): \(Self.codeName(code))"
    }

    /// The primary result code's name, as D1 appends it to messages (`SQLITE_CONSTRAINT`).
    static func codeName(_ code: Int32) -> String {
        switch code & 0xff {
        case SQLITE_ERROR: "SQLITE_ERROR"
        case SQLITE_INTERNAL: "SQLITE_INTERNAL"
        case SQLITE_PERM: "SQLITE_PERM"
        case SQLITE_ABORT: "SQLITE_ABORT"
        case SQLITE_BUSY: "SQLITE_BUSY"
        case SQLITE_LOCKED: "SQLITE_LOCKED"
        case SQLITE_NOMEM: "SQLITE_NOMEM"
        case SQLITE_READONLY: "SQLITE_READONLY"
        case SQLITE_INTERRUPT: "SQLITE_INTERRUPT"
        case SQLITE_IOERR: "SQLITE_IOERR"
        case SQLITE_CORRUPT: "SQLITE_CORRUPT"
        case SQLITE_FULL: "SQLITE_FULL"
        case SQLITE_CANTOPEN: "SQLITE_CANTOPEN"
        case SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT"
        case SQLITE_MISMATCH: "SQLITE_MISMATCH"
        case SQLITE_MISUSE: "SQLITE_MISUSE"
        case SQLITE_AUTH: "SQLITE_AUTH"
        case SQLITE_RANGE: "SQLITE_RANGE"
        case SQLITE_TOOBIG: "SQLITE_TOOBIG"
        default: "SQLITE_ERROR"
        }
    }

    // MARK: - Internal statements

    /// Runs Drover's own SQL (pragmas, `BEGIN IMMEDIATE`, `COMMIT`), transactions allowed.
    /// - Throws: ``D1Error`` `D1_ERROR: <message>`.
    func executeInternal(_ sql: String) throws(D1Error) {
        allowsTransactions = true
        defer { allowsTransactions = false }
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw D1Error("D1_ERROR: \(lastErrorMessage(code: rc))") }
    }

    /// The first column of the first row of Drover's own `sql`, as an integer (pragmas).
    func integerPragma(_ sql: String) -> Int64 {
        guard let entry = try? cachedStatement(sql) else { return 0 }
        defer { sqlite3_reset(entry.handle) }
        guard sqlite3_step(entry.handle) == SQLITE_ROW else { return 0 }
        return sqlite3_column_int64(entry.handle, 0)
    }

    /// The database's size in bytes: `page_count × page_size`.
    func databaseSize() -> Int64 {
        integerPragma("PRAGMA page_count") * integerPragma("PRAGMA page_size")
    }

    /// Checkpoints the WAL so an outside reader of the main file sees recent writes
    /// (https://sqlite.org/c3ref/wal_checkpoint_v2.html). `truncate` also empties the WAL file.
    func checkpoint(truncate: Bool) {
        guard !closed else { return }
        sqlite3_wal_checkpoint_v2(
            handle,
            nil,
            truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE,
            nil,
            nil
        )
    }

    // MARK: - Statement cache

    /// The cached statement for the whole of `sql`, preparing and caching it when it is one
    /// statement. Returns `nil` when `sql` holds several statements (or none), which are prepared
    /// one at a time by the caller.
    /// - Throws: ``D1Error`` `D1_ERROR: <message>` when SQLite refuses the first statement.
    func cachedStatement(_ sql: String) throws(D1Error) -> CachedStatement? {
        if let entry = cachedEntry(sql) { return entry }
        var statement: OpaquePointer?
        var failure: Int32 = SQLITE_OK
        var single = false
        sql.utf8CString.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(
                handle,
                base,
                Int32(buffer.count),
                UInt32(SQLITE_PREPARE_PERSISTENT),
                &statement,
                &tail
            )
            if rc != SQLITE_OK {
                failure = rc
                return
            }
            single = statement != nil && SQLText.isBlank(tail)
        }
        if failure != SQLITE_OK { throw D1Error("D1_ERROR: \(lastErrorMessage(code: failure))") }
        guard let statement else { return nil }
        guard single else {
            sqlite3_finalize(statement)
            return nil
        }
        let entry = CachedStatement(handle: statement)
        entry.lastUse = useCounter
        if cache.count >= cacheCapacity { evictOldest() }
        cache[sql] = entry
        lastLookup = (sql, entry)
        return entry
    }

    /// The statement cached for `sql`, marked as just used; `nil` when none is (nothing is prepared).
    func cachedEntry(_ sql: String) -> CachedStatement? {
        useCounter &+= 1
        // A repeated SQL text is usually the very same string, which `==` sees without comparing bytes.
        if let lastLookup, lastLookup.sql == sql {
            lastLookup.entry.lastUse = useCounter
            return lastLookup.entry
        }
        guard let entry = cache[sql] else { return nil }
        entry.lastUse = useCounter
        lastLookup = (sql, entry)
        return entry
    }

    private func evictOldest() {
        guard let oldest = cache.min(by: { $0.value.lastUse < $1.value.lastUse }) else { return }
        if lastLookup?.entry === oldest.value { lastLookup = nil }
        sqlite3_finalize(oldest.value.handle)
        cache.removeValue(forKey: oldest.key)
    }

    /// Whether `statement` changes the schema (`CREATE`, `DROP`, `ALTER`).
    static func isSchemaChange(_ statement: OpaquePointer) -> Bool {
        guard let text = sqlite3_sql(statement) else { return false }
        let head = SQLText.firstKeyword(text)
        return head == "CREATE" || head == "DROP" || head == "ALTER"
    }
}
