import CSQLite

/// One SQLite connection: each C call wrapped once in a small typed function.
///
/// Not thread-safe by itself: ``QueueStore`` owns it and runs every call on its serial executor.
/// `@unchecked Sendable` because the only owner is that actor, which never uses it concurrently.
final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var cache: [String: SQLiteStatement] = [:]
    let path: String

    /// Opens (creating when absent) the database at `path`.
    init(path: String) throws(QueuesError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw .storage("cannot open queue store \(path): \(message)")
        }
        self.handle = db
        self.path = path
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without results.
    func execute(_ sql: String) throws(QueuesError) {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw .storage("queue store \(path): \(message)")
        }
    }

    /// A prepared statement for `sql`, reused across calls (reset and unbound).
    func statement(_ sql: String) throws(QueuesError) -> SQLiteStatement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil) == SQLITE_OK, let raw
        else { throw .storage("queue store \(path): \(lastError)") }
        let statement = SQLiteStatement(raw, connection: self)
        cache[sql] = statement
        return statement
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, committing when it returns and rolling
    /// back when it throws. IMMEDIATE takes the write lock up front, so a writer in another process
    /// makes us wait (busy timeout) instead of failing mid-transaction
    /// (https://www.sqlite.org/lang_transaction.html).
    func transaction<T>(_ body: () throws(QueuesError) -> T) throws(QueuesError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(handle)) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }
}

/// A prepared statement with typed binds and column reads.
final class SQLiteStatement: @unchecked Sendable {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    deinit { sqlite3_finalize(raw) }

    func reset() {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(raw, index, value)
    }

    func bind(_ index: Int32, _ value: Int) {
        sqlite3_bind_int64(raw, index, Int64(value))
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(raw, index)
            return
        }
        // SQLITE_TRANSIENT: SQLite copies the bytes before returning.
        sqlite3_bind_text(raw, index, value, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        _ = blob.withUnsafeBytes { buffer in
            // A zero-length blob must still be a blob, not NULL.
            sqlite3_bind_blob(
                raw,
                index,
                buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                Int32(buffer.count),
                unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            )
        }
    }

    /// Steps once: `true` when a row is available, `false` when done.
    func step() throws(QueuesError) -> Bool {
        switch sqlite3_step(raw) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw .storage("queue store \(connection.path): \(connection.lastError)")
        }
    }

    /// Steps to the end, ignoring rows.
    func run() throws(QueuesError) {
        while try step() {}
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(raw, column)) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(raw, column) else { return "" }
        return String(cString: text)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let pointer = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
