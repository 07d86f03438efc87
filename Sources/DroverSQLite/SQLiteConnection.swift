import CSQLite

/// One libsqlite3 connection (https://sqlite.org/c3ref/sqlite3.html): open, close, run SQL, prepare
/// ``SQLiteStatement``s and configure it, each C call wrapped once. What to run and how to word a
/// failure is the owner's: D1 and the queue store each keep their own policy on top.
///
/// `@unchecked Sendable`: it wraps a C handle opened in SQLite's multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`, https://sqlite.org/threadsafe.html), which is safe as long as no two
/// threads use it at once. Every owner confines it (and its statements) to one serial executor:
/// D1's `ConnectionActor`, the queues' `QueueStore` actor.
///
/// `@usableFromInline` so that its `@inlinable` members are inlined into D1 (see ``SQLiteStatement``).
@usableFromInline package final class SQLiteConnection: @unchecked Sendable {
    /// The `sqlite3` handle; valid until ``close()``.
    @usableFromInline package let handle: OpaquePointer
    /// The authorizer SQLite calls back, kept alive as long as the connection.
    private var authorizer: AuthorizerBox?
    package private(set) var isClosed = false

    /// Opens the database at `path` (https://sqlite.org/c3ref/open.html).
    /// - Throws: ``SQLiteError`` with SQLite's message (`out of memory` when it could not even
    ///   allocate the connection); nothing stays open.
    package init(path: String, options: OpenOptions = [.readWrite, .create, .noMutex]) throws(SQLiteError) {
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
        /// The highest parameter number (`SQLITE_LIMIT_VARIABLE_NUMBER`).
        package static let variableNumber = Limit(SQLITE_LIMIT_VARIABLE_NUMBER)
        /// The bytes of one SQL statement (`SQLITE_LIMIT_SQL_LENGTH`).
        package static let sqlLength = Limit(SQLITE_LIMIT_SQL_LENGTH)
        /// The columns of a table, result or index (`SQLITE_LIMIT_COLUMN`).
        package static let columns = Limit(SQLITE_LIMIT_COLUMN)
        /// The bytes of a `LIKE` or `GLOB` pattern (`SQLITE_LIMIT_LIKE_PATTERN_LENGTH`).
        package static let likePatternLength = Limit(SQLITE_LIMIT_LIKE_PATTERN_LENGTH)
        /// Attached databases (`SQLITE_LIMIT_ATTACHED`).
        package static let attached = Limit(SQLITE_LIMIT_ATTACHED)
    }

    // MARK: - Authorizer (https://sqlite.org/c3ref/set_authorizer.html)

    /// Installs `decide`, which SQLite asks about each action while it prepares a statement
    /// (`sqlite3_exec` included), replacing any earlier one. It runs on the thread preparing.
    package func setAuthorizer(_ decide: @escaping (AuthorizerAction) -> Authorization) {
        let box = AuthorizerBox(decide)
        authorizer = box
        sqlite3_set_authorizer(
            handle,
            { context, action, _, _, _, _ in
                guard let context else { return SQLITE_OK }
                let box = Unmanaged<AuthorizerBox>.fromOpaque(context).takeUnretainedValue()
                return box.decide(AuthorizerAction(rawValue: action)).rawValue
            },
            Unmanaged.passUnretained(box).toOpaque()
        )
    }

    /// What an authorizer answers (https://sqlite.org/c3ref/c_deny.html).
    package enum Authorization: Sendable {
        /// `SQLITE_OK`.
        case allow
        /// `SQLITE_DENY`: the statement fails to prepare with `SQLITE_AUTH`.
        case deny
        /// `SQLITE_IGNORE`.
        case ignore

        var rawValue: Int32 {
            switch self {
            case .allow: SQLITE_OK
            case .deny: SQLITE_DENY
            case .ignore: SQLITE_IGNORE
            }
        }
    }

    /// An action an authorizer is asked about (https://sqlite.org/c3ref/c_alter_table.html).
    package struct AuthorizerAction: Sendable, Equatable {
        let rawValue: Int32
        /// `ATTACH` (`SQLITE_ATTACH`).
        package static let attach = AuthorizerAction(rawValue: SQLITE_ATTACH)
        /// `DETACH` (`SQLITE_DETACH`).
        package static let detach = AuthorizerAction(rawValue: SQLITE_DETACH)
        /// `BEGIN`, `COMMIT`, `ROLLBACK` (`SQLITE_TRANSACTION`).
        package static let transaction = AuthorizerAction(rawValue: SQLITE_TRANSACTION)
        /// `SAVEPOINT`, `RELEASE`, `ROLLBACK TO` (`SQLITE_SAVEPOINT`).
        package static let savepoint = AuthorizerAction(rawValue: SQLITE_SAVEPOINT)
    }

    private final class AuthorizerBox {
        let decide: (AuthorizerAction) -> Authorization
        init(_ decide: @escaping (AuthorizerAction) -> Authorization) { self.decide = decide }
    }

    // MARK: - The database file

    /// Checkpoints the WAL into the main file (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
    /// - Parameter truncate: also empty the WAL file (`SQLITE_CHECKPOINT_TRUNCATE`, which waits for
    ///   readers); `false` checkpoints what it can without waiting (`SQLITE_CHECKPOINT_PASSIVE`).
    /// - Returns: SQLite's result code (`SQLITE_BUSY` when a truncate could not finish).
    @discardableResult
    package func checkpoint(truncate: Bool) -> Int32 {
        sqlite3_wal_checkpoint_v2(handle, nil, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, nil, nil)
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
