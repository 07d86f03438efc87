import Drover
import DroverSQLite

/// One SQLite connection (a ``SQLiteConnection``) configured as D1 configures its databases, with
/// D1's statement cache and error wording.
///
/// Confined to one serial queue (``ConnectionActor``), so it is opened in SQLite's multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`, https://sqlite.org/threadsafe.html). On open it sets, as every D1
/// database has them: `foreign_keys = ON`, WAL journal mode (https://sqlite.org/wal.html), a busy
/// timeout, and the platform limits (https://developers.cloudflare.com/d1/platform/limits/) through
/// SQLite's run-time limits (https://sqlite.org/c3ref/limit.html) and an authorizer refusing `ATTACH`,
/// `DETACH` and hand-written transactions (D1 runs transactions only through `batch`).
///
/// `@unchecked Sendable`: safe because every call happens on the owning ``ConnectionActor``'s serial
/// queue (actor-isolated `run` or `queue.sync`), never on two threads at once.
final class D1Connection: @unchecked Sendable {
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
        let statement: SQLiteStatement
        let isReadOnly: Bool
        let parameterCount: Int32
        let isSchemaChange: Bool
        var lastUse: UInt64 = 0
        /// SQLite's full-scan step counter holds counts of runs that did not read it (`first()`).
        var fullScanCountIsStale = false
        /// The column names, and SQLite's re-prepare count when they were read.
        private var columns: [String] = []
        private var columnsPreparation: Int32 = -1

        init(_ statement: SQLiteStatement) {
            self.statement = statement
            self.isReadOnly = statement.isReadOnly
            self.parameterCount = statement.parameterCount
            self.isSchemaChange = D1Connection.isSchemaChange(statement)
        }

        /// The statement's column names, read from SQLite again only after SQLite re-prepared the
        /// statement (a schema change can change what `SELECT *` returns,
        /// https://sqlite.org/c3ref/c_stmtstatus_counter.html `SQLITE_STMTSTATUS_REPREPARE`).
        func columnNames() -> [String] {
            let preparation = statement.status(.reprepares)
            if preparation != columnsPreparation {
                columns = statement.columnNames()
                columnsPreparation = preparation
            }
            return columns
        }
    }

    /// The SQLite connection; closed by ``close()``.
    let sqlite: SQLiteConnection
    let path: String
    let isReader: Bool
    /// Whether the authorizer lets `BEGIN`/`COMMIT`/`SAVEPOINT` through (only Drover's own).
    fileprivate(set) var allowsTransactions = false
    private var cache: [String: CachedStatement] = [:]
    /// The last statement looked up: a batch repeating one SQL text skips hashing it.
    private var lastLookup: (sql: String, entry: CachedStatement)?
    private var useCounter: UInt64 = 0
    private let cacheCapacity = 64

    /// Opens (creating when absent) the database at `path`.
    /// - Throws: ``D1Error`` `D1_ERROR: cannot open database at <path>: <sqlite message>` when the
    ///   file cannot be opened, `D1_ERROR: <message>` when it cannot be configured.
    init(path: String, isReader: Bool, busyTimeoutMilliseconds: Int32 = 5_000) throws(D1Error) {
        do throws(SQLiteError) {
            self.sqlite = try SQLiteConnection(path: path, options: [.readWrite, .create, .noMutex])
        } catch {
            throw D1Error("D1_ERROR: cannot open database at \(path): \(error.message)")
        }
        self.path = path
        self.isReader = isReader
        do {
            try configure(busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            sqlite.close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Finalizes cached statements and closes the connection; later calls do nothing.
    func close() {
        guard !sqlite.isClosed else { return }
        lastLookup = nil
        for entry in cache.values { entry.statement.finalize() }
        cache.removeAll()
        sqlite.close()
    }

    var isClosed: Bool { sqlite.isClosed }

    private func configure(busyTimeoutMilliseconds: Int32) throws(D1Error) {
        sqlite.setExtendedResultCodes(true)
        // A busy database is retried for this long before SQLITE_BUSY (https://sqlite.org/c3ref/busy_timeout.html).
        sqlite.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        sqlite.limit(.variableNumber, Limits.boundParameters)
        sqlite.limit(.sqlLength, Limits.statementBytes)
        sqlite.limit(.columns, Limits.columns)
        sqlite.limit(.likePatternLength, Limits.likePatternBytes)
        sqlite.limit(.attached, Limits.attachedDatabases)
        // `unowned`: the SQLite connection, and so the authorizer, never outlives `self`.
        sqlite.setAuthorizer { [unowned self] request in
            switch request.action {
            case .attach, .detach: .deny
            case .transaction, .savepoint: allowsTransactions ? .allow : .deny
            default: .allow
            }
        }
        try executeInternal("PRAGMA foreign_keys = ON")
        if isReader {
            try executeInternal("PRAGMA query_only = ON")
        } else {
            try executeInternal("PRAGMA journal_mode = WAL")
            try executeInternal("PRAGMA synchronous = NORMAL")
        }
    }

    // MARK: - Internal statements

    /// Runs Drover's own SQL (pragmas, `BEGIN IMMEDIATE`, `COMMIT`), transactions allowed.
    /// - Throws: ``D1Error`` `D1_ERROR: <message>`.
    func executeInternal(_ sql: String) throws(D1Error) {
        allowsTransactions = true
        defer { allowsTransactions = false }
        do throws(SQLiteError) {
            try sqlite.execute(sql)
        } catch {
            throw D1Error(sqlite: error)
        }
    }

    /// The first column of the first row of Drover's own `sql`, as an integer (pragmas).
    func integerPragma(_ sql: String) -> Int64 {
        guard let statement = (try? cachedStatement(sql))?.statement else { return 0 }
        defer { statement.reset() }
        guard (try? statement.step()) == true else { return 0 }
        return statement.int64(0)
    }

    /// The database's size in bytes: `page_count × page_size`.
    func databaseSize() -> Int64 {
        integerPragma("PRAGMA page_count") * integerPragma("PRAGMA page_size")
    }

    /// Checkpoints the WAL so an outside reader of the main file sees recent writes
    /// (https://sqlite.org/c3ref/wal_checkpoint_v2.html). `truncate` also empties the WAL file.
    func checkpoint(truncate: Bool) {
        guard !sqlite.isClosed else { return }
        sqlite.checkpoint(truncate: truncate)
    }

    // MARK: - Statement cache

    /// The cached statement for the whole of `sql`, preparing and caching it when it is one
    /// statement. Returns `nil` when `sql` holds several statements (or none), which are prepared
    /// one at a time by the caller.
    /// - Throws: ``D1Error`` `D1_ERROR: <message>` when SQLite refuses the first statement.
    func cachedStatement(_ sql: String) throws(D1Error) -> CachedStatement? {
        if let entry = cachedEntry(sql) { return entry }
        let prepared: (statement: SQLiteStatement?, restIsBlank: Bool)
        do throws(SQLiteError) {
            prepared = try sqlite.prepare(sql, persistent: true)
        } catch {
            throw D1Error(sqlite: error)
        }
        guard let statement = prepared.statement else { return nil }
        guard prepared.restIsBlank else {
            statement.finalize()
            return nil
        }
        let entry = CachedStatement(statement)
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
        oldest.value.statement.finalize()
        cache.removeValue(forKey: oldest.key)
    }

    /// Whether `statement` changes the schema (`CREATE`, `DROP`, `ALTER`).
    static func isSchemaChange(_ statement: SQLiteStatement) -> Bool {
        let head = SQLText.firstKeyword(statement.sql)
        return head == "CREATE" || head == "DROP" || head == "ALTER"
    }
}

extension D1Error {
    /// SQLite's failure as D1 words it: `D1_ERROR: <message>: <SQLITE_CODE>`
    /// (`D1_ERROR: NOT NULL constraint failed: t.v: SQLITE_CONSTRAINT`).
    init(sqlite error: SQLiteError) {
        self.init("D1_ERROR: \(error.message): \(error.codeName)")
    }
}
