import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// One libsqlite3 connection (https://sqlite.org/c3ref/sqlite3.html): open, close, run SQL, prepare
/// ``SQLiteStatement``s and configure it, each C call wrapped once. What to run and how to word a
/// failure is the owner's: D1 and the queue store each keep their own policy on top.
///
/// `@unchecked Sendable`: it wraps a C handle opened in SQLite's multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`, https://sqlite.org/threadsafe.html), which is safe as long as no two
/// threads use it at once. Every owner confines it (and its statements) to one serial executor:
/// D1's `ConnectionActor`, the queues' `QueueStore` actor. The one exception is ``interrupt()``,
/// which SQLite allows from any thread while the connection is open.
///
/// `@usableFromInline` so that its `@inlinable` members are inlined into D1 (see ``SQLiteStatement``).
@usableFromInline package final class SQLiteConnection: @unchecked Sendable {
    /// The `sqlite3` handle; valid until ``close()``.
    @usableFromInline package let handle: OpaquePointer
    /// The authorizer SQLite calls back, kept alive as long as the connection.
    var authorizer: AuthorizerBox?
    /// The progress handler SQLite calls back, kept alive as long as the connection.
    var progressHandler: ProgressHandlerBox?
    package private(set) var isClosed = false

    /// Opens the database at `path` (https://sqlite.org/c3ref/open.html).
    ///
    /// A database this creates (`.create` and no file yet) is its owner's only, mode 0600: the
    /// package's databases are state. SQLite gives the `-wal` and `-shm` files it makes later the
    /// database file's own mode (https://sqlite.org/tempfiles.html; `unixOpen` copies it).
    /// - Throws: ``SQLiteError`` with SQLite's message (`out of memory` when it could not even
    ///   allocate the connection); nothing stays open.
    package init(path: String, options: OpenOptions = [.readWrite, .create, .noMutex]) throws(SQLiteError) {
        if options.contains(.create) { Self.createPrivately(path) }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, options.rawValue, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message)
        }
        self.handle = db
    }

    deinit {
        close()
    }

    /// Creates an empty file at `path` with mode 0600 when there is none (SQLite then opens it as a
    /// new database). Any failure is left for `sqlite3_open_v2` to report.
    private static func createPrivately(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Closes the connection (https://sqlite.org/c3ref/close.html); later calls do nothing. A
    /// statement not finalized yet keeps the file open until it is (`sqlite3_close_v2`).
    package func close() {
        guard !isClosed else { return }
        isClosed = true
        sqlite3_close_v2(handle)
    }

    /// How to open a database (https://sqlite.org/c3ref/c_open_autoproxy.html).
    package struct OpenOptions: OptionSet, Sendable {
        package let rawValue: Int32
        package init(rawValue: Int32) { self.rawValue = rawValue }
        package static let readOnly = OpenOptions(rawValue: SQLITE_OPEN_READONLY)
        package static let readWrite = OpenOptions(rawValue: SQLITE_OPEN_READWRITE)
        package static let create = OpenOptions(rawValue: SQLITE_OPEN_CREATE)
        /// Multi-thread mode: no mutex of SQLite's own, the owner serialises every use.
        package static let noMutex = OpenOptions(rawValue: SQLITE_OPEN_NOMUTEX)
    }

    // MARK: - Running SQL

    /// Runs every statement of `sql`, ignoring rows (https://sqlite.org/c3ref/exec.html).
    /// - Throws: ``SQLiteError`` from the first statement that fails; the ones before it ran.
    package func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        if rc != SQLITE_OK { throw lastError(rc) }
    }

    /// Prepares the first statement of `sql` (https://sqlite.org/c3ref/prepare.html).
    /// - Parameter persistent: whether the statement will be kept and reused (`SQLITE_PREPARE_PERSISTENT`).
    /// - Returns: the statement, `nil` when `sql` holds only white space and comments; and whether
    ///   only white space, `;` and comments follow it (as ``SQLText`` tells).
    /// - Throws: ``SQLiteError`` when SQLite refuses the statement.
    package func prepare(_ sql: String, persistent: Bool) throws(SQLiteError) -> (statement: SQLiteStatement?, restIsBlank: Bool) {
        var result: Result<(SQLiteStatement?, Bool), SQLiteError> = .success((nil, true))
        sql.utf8CString.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            do throws(SQLiteError) {
                let (statement, tail) = try prepare(base, byteCount: buffer.count, persistent: persistent)
                result = .success((statement, SQLText.isBlank(tail)))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// Prepares the first statement of the NUL-terminated UTF-8 text at `sql`, `byteCount` bytes
    /// long with its NUL (https://sqlite.org/c3ref/prepare.html).
    /// - Parameter persistent: whether the statement will be kept and reused (`SQLITE_PREPARE_PERSISTENT`).
    /// - Returns: the statement (`nil` when only white space and comments were left) and where the
    ///   text after it starts, inside `sql`.
    /// - Throws: ``SQLiteError`` when SQLite refuses the statement.
    package func prepare(
        _ sql: UnsafePointer<CChar>,
        byteCount: Int,
        persistent: Bool
    ) throws(SQLiteError) -> (statement: SQLiteStatement?, tail: UnsafePointer<CChar>?) {
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(handle, sql, Int32(byteCount), flags, &statement, &tail)
        if rc != SQLITE_OK { throw lastError(rc) }
        return (statement.map(SQLiteStatement.init(handle:)), tail)
    }

    /// Makes the statement running on this connection stop at its next check with
    /// `SQLITE_INTERRUPT` (https://sqlite.org/c3ref/interrupt.html). The one call here that is safe
    /// from another thread while the connection is in use; it must not race with ``close()``, so the
    /// owner calls it only before closing. Statements that start after it, while the first still
    /// runs, are interrupted too. A call while nothing runs is kept by SQLite (3.40) until a
    /// statement starts or a checkpoint ends: the next ``checkpoint(truncate:)`` may then return
    /// `SQLITE_INTERRUPT` once.
    package func interrupt() {
        sqlite3_interrupt(handle)
    }

    // MARK: - What the last statements did

    /// Rows the latest `INSERT`, `UPDATE` or `DELETE` changed (https://sqlite.org/c3ref/changes.html).
    @inlinable package var changes: Int64 { sqlite3_changes64(handle) }

    /// Rows changed since the connection opened (https://sqlite.org/c3ref/total_changes.html).
    @inlinable package var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// The rowid of the latest successful `INSERT` (https://sqlite.org/c3ref/last_insert_rowid.html).
    @inlinable package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The message of the latest failure on this connection (https://sqlite.org/c3ref/errcode.html).
    package var errorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// The error `rc`, with the connection's message read now.
    private func lastError(_ rc: Int32) -> SQLiteError {
        SQLiteError.lastError(on: handle, code: rc)
    }

    // MARK: - Configuration

    /// Whether failures report extended result codes (https://sqlite.org/c3ref/extended_result_codes.html).
    package func setExtendedResultCodes(_ on: Bool) {
        sqlite3_extended_result_codes(handle, on ? 1 : 0)
    }

    /// How long a busy database is retried before `SQLITE_BUSY` (https://sqlite.org/c3ref/busy_timeout.html).
    package func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Sets `limit` to `value` (https://sqlite.org/c3ref/limit.html).
    /// - Returns: the limit's previous value.
    @discardableResult
    package func limit(_ limit: Limit, _ value: Int32) -> Int32 {
        sqlite3_limit(handle, limit.rawValue, value)
    }

    /// A run-time limit (https://sqlite.org/c3ref/c_limit_attached.html).
    package struct Limit: Sendable, Equatable {
        let rawValue: Int32
        private init(_ rawValue: Int32) { self.rawValue = rawValue }
        /// The bytes of a string or blob, or of a row (`SQLITE_LIMIT_LENGTH`).
        package static let length = Limit(SQLITE_LIMIT_LENGTH)
        /// The highest parameter number (`SQLITE_LIMIT_VARIABLE_NUMBER`).
        package static let variableNumber = Limit(SQLITE_LIMIT_VARIABLE_NUMBER)
        /// The bytes of one SQL statement (`SQLITE_LIMIT_SQL_LENGTH`).
        package static let sqlLength = Limit(SQLITE_LIMIT_SQL_LENGTH)
        /// The columns of a table, result or index (`SQLITE_LIMIT_COLUMN`).
        package static let columns = Limit(SQLITE_LIMIT_COLUMN)
        /// The depth of an expression's parse tree (`SQLITE_LIMIT_EXPR_DEPTH`).
        package static let expressionDepth = Limit(SQLITE_LIMIT_EXPR_DEPTH)
        /// The terms of a compound `SELECT` (`SQLITE_LIMIT_COMPOUND_SELECT`).
        package static let compoundSelect = Limit(SQLITE_LIMIT_COMPOUND_SELECT)
        /// The instructions of one statement's program (`SQLITE_LIMIT_VDBE_OP`).
        package static let vdbeOperations = Limit(SQLITE_LIMIT_VDBE_OP)
        /// The arguments of a function call (`SQLITE_LIMIT_FUNCTION_ARG`).
        package static let functionArguments = Limit(SQLITE_LIMIT_FUNCTION_ARG)
        /// The bytes of a `LIKE` or `GLOB` pattern (`SQLITE_LIMIT_LIKE_PATTERN_LENGTH`).
        package static let likePatternLength = Limit(SQLITE_LIMIT_LIKE_PATTERN_LENGTH)
        /// Attached databases (`SQLITE_LIMIT_ATTACHED`).
        package static let attached = Limit(SQLITE_LIMIT_ATTACHED)
        /// How deep triggers may fire each other (`SQLITE_LIMIT_TRIGGER_DEPTH`).
        package static let triggerDepth = Limit(SQLITE_LIMIT_TRIGGER_DEPTH)
        /// Helper threads one statement may start (`SQLITE_LIMIT_WORKER_THREADS`).
        package static let workerThreads = Limit(SQLITE_LIMIT_WORKER_THREADS)
    }

    /// Turns `option` on or off (https://sqlite.org/c3ref/db_config.html), through the C shim
    /// `drover_sqlite3_db_config_int`: `sqlite3_db_config` is variadic and Swift cannot call it.
    /// - Returns: whether the option is on afterwards, as SQLite reports it.
    /// - Throws: ``SQLiteError`` when SQLite refuses (`SQLITE_ERROR` for an option this library
    ///   does not know).
    @discardableResult
    package func configure(_ option: ConfigurationOption, on: Bool) throws(SQLiteError) -> Bool {
        var current: Int32 = -1
        let rc = drover_sqlite3_db_config_int(handle, option.rawValue, on ? 1 : 0, &current)
        if rc != SQLITE_OK { throw lastError(rc) }
        return current != 0
    }

    /// An on/off option of a connection (https://sqlite.org/c3ref/c_dbconfig_defensive.html).
    package struct ConfigurationOption: Sendable, Equatable {
        let rawValue: Int32
        private init(_ rawValue: Int32) { self.rawValue = rawValue }
        /// `SQLITE_DBCONFIG_DEFENSIVE`: refuses what could corrupt the file from SQL:
        /// `PRAGMA writable_schema=ON`, `journal_mode=OFF`, `schema_version=N`, writes to shadow
        /// tables and to `sqlite_dbpage` (https://sqlite.org/security.html, item 1).
        package static let defensive = ConfigurationOption(SQLITE_DBCONFIG_DEFENSIVE)
        /// `SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER`: the two-argument `fts3_tokenizer()`, which takes a
        /// raw C pointer from SQL (https://sqlite.org/fts3.html#custom_application_defined_tokenizers).
        package static let fts3Tokenizer = ConfigurationOption(SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER)
        /// `SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION`: loading shared libraries, from C and from SQL's
        /// `load_extension()` (https://sqlite.org/c3ref/enable_load_extension.html).
        package static let loadExtension = ConfigurationOption(SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION)
    }

    // MARK: - The database file

    /// Checkpoints the WAL into the main file (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
    /// - Parameter truncate: also empty the WAL file (`SQLITE_CHECKPOINT_TRUNCATE`, which waits for
    ///   readers); `false` checkpoints what it can without waiting (`SQLITE_CHECKPOINT_PASSIVE`).
    /// - Returns: SQLite's result code (`SQLITE_BUSY` when a truncate could not finish).
    ///
    /// An ``interrupt()`` that came while nothing ran is still pending in SQLite and stops the
    /// checkpoint with `SQLITE_INTERRUPT`; the checkpoint clears it (no statement runs), so this
    /// tries once more.
    @discardableResult
    package func checkpoint(truncate: Bool) -> Int32 {
        let mode = truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, mode, nil, nil)
        guard rc == SQLITE_INTERRUPT else { return rc }
        return sqlite3_wal_checkpoint_v2(handle, nil, mode, nil, nil)
    }

    /// The bytes of database `schema` (`main` by default) as they would be on disk
    /// (https://sqlite.org/c3ref/serialize.html); `nil` when SQLite returns none (an empty
    /// database, or no memory: ``errorMessage`` then says which).
    package func serialize(schema: String = "main") -> [UInt8]? {
        var size: sqlite3_int64 = 0
        guard let data = sqlite3_serialize(handle, schema, &size, 0) else { return nil }
        defer { sqlite3_free(data) }
        return Array(UnsafeRawBufferPointer(start: data, count: Int(size)))
    }
}
