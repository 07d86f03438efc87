import CSQLite

/// One prepared statement (https://sqlite.org/c3ref/stmt.html): typed binds, stepping, typed column
/// reads and SQLite's counters, each C call wrapped once.
///
/// The per-run and per-value calls are `@inlinable`, so that a caller in another module pays for the
/// C call alone (D1's read path makes several per row). The types they use are `@usableFromInline
/// package`: for a plain `package` type, Swift 6.3 serializes no `@inlinable` body of its members
/// (silently), and each such call stays a call into this module.
///
/// Used only where its ``SQLiteConnection`` is used, on that connection's serial executor. It is
/// finalized by ``finalize()`` or when released; a statement outliving its connection's ``SQLiteConnection/close()``
/// keeps the database handle alive until then (`sqlite3_close_v2`).
@usableFromInline package final class SQLiteStatement {
    /// The `sqlite3_stmt`; valid until ``finalize()``.
    @usableFromInline package let handle: OpaquePointer
    private var finalized = false

    /// Wraps `handle`, which this object now finalizes.
    package init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        finalize()
    }

    /// Frees the statement (https://sqlite.org/c3ref/finalize.html); later calls do nothing. The
    /// statement must not be used afterwards.
    package func finalize() {
        guard !finalized else { return }
        finalized = true
        sqlite3_finalize(handle)
    }

    // MARK: - Binding (https://sqlite.org/c3ref/bind_blob.html; parameters count from 1)

    /// The number of the highest parameter (`?NNN` counting), https://sqlite.org/c3ref/bind_parameter_count.html.
    @inlinable package var parameterCount: Int32 { sqlite3_bind_parameter_count(handle) }

    /// Binds SQL NULL to parameter `index`.
    /// - Throws: ``SQLiteError`` when SQLite refuses (`SQLITE_RANGE` for an index out of range).
    @inlinable package func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds an integer to parameter `index`.
    /// - Throws: ``SQLiteError`` when SQLite refuses.
    @inlinable package func bind(_ value: Int64, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds an integer to parameter `index`.
    /// - Throws: ``SQLiteError`` when SQLite refuses.
    @inlinable package func bind(_ value: Int, at index: Int32) throws(SQLiteError) {
        try bind(Int64(value), at: index)
    }

    /// Binds a floating-point value to parameter `index`.
    /// - Throws: ``SQLiteError`` when SQLite refuses.
    @inlinable package func bind(_ value: Double, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds `value`'s UTF-8 bytes as text to parameter `index`, with their length, so a text
    /// holding NUL keeps every byte. SQLite copies them before returning (`SQLITE_TRANSIENT`).
    /// - Throws: ``SQLiteError`` when SQLite refuses (`SQLITE_TOOBIG`).
    @inlinable package func bind(_ value: String, at index: Int32) throws(SQLiteError) {
        var value = value
        let rc = value.withUTF8 { bytes in
            // A null pointer would bind NULL: an empty text still points somewhere.
            guard let base = bytes.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, sqliteTransient) }
            return sqlite3_bind_text(
                handle,
                index,
                UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                Int32(bytes.count),
                sqliteTransient
            )
        }
        try check(rc)
    }

    /// Binds `bytes` as a blob to parameter `index`; SQLite copies them before returning. An empty
    /// array binds a zero-length blob, not NULL.
    /// - Throws: ``SQLiteError`` when SQLite refuses (`SQLITE_TOOBIG`).
    @inlinable package func bind(blob bytes: [UInt8], at index: Int32) throws(SQLiteError) {
        let rc = bytes.withUnsafeBytes { buffer in
            // A null pointer would bind NULL: a zero-length blob is bound as one.
            buffer.baseAddress.map { sqlite3_bind_blob(handle, index, $0, Int32(buffer.count), sqliteTransient) }
                ?? sqlite3_bind_zeroblob(handle, index, 0)
        }
        try check(rc)
    }

    /// Sets every parameter back to NULL (https://sqlite.org/c3ref/clear_bindings.html).
    @inlinable package func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    // MARK: - Running

    /// Runs the statement to its next row (https://sqlite.org/c3ref/step.html).
    /// - Returns: `true` when a row is available, `false` when the statement is done.
    /// - Throws: ``SQLiteError`` with the step's code and the connection's message.
    @inlinable package func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw failure(rc)
    }

    /// Steps to the end, ignoring rows.
    /// - Throws: ``SQLiteError`` as ``step()``.
    @inlinable package func run() throws(SQLiteError) {
        while try step() {}
    }

    /// Makes the statement ready to run again, keeping its bindings
    /// (https://sqlite.org/c3ref/reset.html). The last run's error, if any, was already thrown by
    /// ``step()``, so the code `sqlite3_reset` repeats is not returned.
    @inlinable package func reset() {
        sqlite3_reset(handle)
    }

    // MARK: - Columns of the current row (https://sqlite.org/c3ref/column_blob.html)

    /// The number of columns the statement returns.
    @inlinable package var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name of `column` (https://sqlite.org/c3ref/column_name.html); `""` when SQLite has none.
    package func columnName(_ column: Int32) -> String {
        sqlite3_column_name(handle, column).map { String(cString: $0) } ?? ""
    }

    /// Every column's name, in order (duplicates kept).
    package func columnNames() -> [String] {
        let count = columnCount
        var names: [String] = []
        names.reserveCapacity(Int(count))
        for column in 0..<count { names.append(columnName(column)) }
        return names
    }

    /// The type SQLite holds in `column` of the current row.
    @inlinable package func columnType(_ column: Int32) -> SQLiteColumnType {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: .integer
        case SQLITE_FLOAT: .float
        case SQLITE_TEXT: .text
        case SQLITE_BLOB: .blob
        default: .null
        }
    }

    /// `column` of the current row as an integer.
    @inlinable package func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    /// `column` of the current row as an integer.
    @inlinable package func int(_ column: Int32) -> Int {
        Int(int64(column))
    }

    /// Whether `column` of the current row is NULL.
    @inlinable package func isNull(_ column: Int32) -> Bool {
        columnType(column) == .null
    }

    /// `column` of the current row as a floating-point value.
    @inlinable package func double(_ column: Int32) -> Double {
        sqlite3_column_double(handle, column)
    }

    /// `column` of the current row as text, every byte of it (NUL included); `""` for NULL.
    @inlinable package func text(_ column: Int32) -> String {
        // The pointer first, then its length (the order the column_blob page asks for).
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// `column` of the current row as bytes; `[]` for NULL or a zero-length blob.
    @inlinable package func blob(_ column: Int32) -> [UInt8] {
        guard let blob = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }

    // MARK: - About the statement

    /// Whether the statement only reads (https://sqlite.org/c3ref/stmt_readonly.html).
    @inlinable package var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    /// The statement's SQL text as prepared (https://sqlite.org/c3ref/expanded_sql.html).
    package var sql: String {
        sqlite3_sql(handle).map { String(cString: $0) } ?? ""
    }

    /// The value of SQLite's `counter` for this statement (https://sqlite.org/c3ref/stmt_status.html),
    /// set back to zero when `reset` is true.
    @inlinable package func status(_ counter: Counter, reset: Bool = false) -> Int32 {
        sqlite3_stmt_status(handle, counter.rawValue, reset ? 1 : 0)
    }

    /// A per-statement counter (https://sqlite.org/c3ref/c_stmtstatus_counter.html).
    @usableFromInline package struct Counter: Sendable, Equatable {
        @usableFromInline let rawValue: Int32
        @usableFromInline init(_ rawValue: Int32) { self.rawValue = rawValue }
        // Computed and inlinable, so a caller's read folds to the C constant.
        /// Steps of full table scans (`SQLITE_STMTSTATUS_FULLSCAN_STEP`).
        @inlinable package static var fullScanSteps: Counter { Counter(SQLITE_STMTSTATUS_FULLSCAN_STEP) }
        /// Times SQLite prepared the statement again, after a schema change (`SQLITE_STMTSTATUS_REPREPARE`).
        @inlinable package static var reprepares: Counter { Counter(SQLITE_STMTSTATUS_REPREPARE) }
        /// Virtual machine instructions run, over every run until reset (`SQLITE_STMTSTATUS_VM_STEP`);
        /// the progress handler is called as it passes each multiple of its interval.
        @inlinable package static var vmSteps: Counter { Counter(SQLITE_STMTSTATUS_VM_STEP) }
    }

    // MARK: - Errors

    /// Throws when `rc` is not `SQLITE_OK`.
    @inlinable func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw failure(rc) }
    }

    /// The error `rc`, with the statement's connection's message.
    @usableFromInline func failure(_ rc: Int32) -> SQLiteError {
        SQLiteError.lastError(on: sqlite3_db_handle(handle), code: rc)
    }
}

/// The storage class of a value SQLite holds (https://sqlite.org/datatype3.html).
@usableFromInline package enum SQLiteColumnType: Sendable, Equatable {
    case integer
    case float
    case text
    case blob
    case null
}

/// The `SQLITE_TRANSIENT` destructor: SQLite copies bound text and blobs before `bind` returns.
@inlinable var sqliteTransient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }
