import Dispatch
import Drover
import DroverSQLite

/// D1's own messages for parameter mistakes (workerd's SQL binding words them so).
enum D1Messages {
    static let noStatements = "No SQL statements detected."
    static let wrongParameterCount = "Wrong number of parameter bindings for SQL query."
    static let parametersOnlyLast =
        "When executing multiple SQL statements in a single call, only the last statement can have parameters."
}

/// What one statement did, before it becomes a ``D1Result``.
private struct StatementOutcome {
    var columns: [String] = []
    var rows: [D1Row] = []
    var rowsRead: Int64 = 0
    var rowsWritten: Int64 = 0
    var schemaChanged = false
}

extension D1Connection {
    /// Runs `sql` (one statement, or several of which only the last has parameters) with `values`
    /// bound positionally, and returns the last statement's rows with D1's `meta`.
    ///
    /// - Parameters:
    ///   - sizeAfter: the database size to report, read after the statement ran.
    /// - Throws: ``D1Error``: `D1_TYPE_ERROR` for an unbindable value, `D1_ERROR: <message>` for
    ///   anything SQLite refuses or a wrong number of values.
    func execute(
        sql: String,
        values: [D1Value],
        sizeAfter: () -> Int64
    ) throws(D1Error)
        -> D1Result
    {
        var clock = DispatchTime.now().uptimeNanoseconds
        try D1ValueBinding.validate(values)
        return try execute(try cachedStatement(sql), sql: sql, values: values, clock: &clock, sizeAfter: sizeAfter)
    }

    /// On a read connection: runs `sql` when it is one statement that only reads, and returns `nil`
    /// without running anything when it writes, holds several statements or does not prepare here
    /// (the writer then runs it, and reports its error).
    /// - Throws: ``D1Error`` as ``execute(sql:values:sizeAfter:)``, for a read that ran.
    func executeIfReadOnly(sql: String, values: [D1Value], sizeAfter: () -> Int64) throws(D1Error) -> D1Result? {
        var clock = DispatchTime.now().uptimeNanoseconds
        guard let entry = try? cachedStatement(sql), entry.isReadOnly else { return nil }
        try D1ValueBinding.validate(values)
        return try execute(entry, sql: sql, values: values, clock: &clock, sizeAfter: sizeAfter)
    }

    /// On a read connection: `first()`'s answer when `sql` is one statement that only reads, as
    /// ``executeIfReadOnly(sql:values:sizeAfter:)`` decides: `.some(row)` (`row` is `nil` when there
    /// are no rows), or `nil` when nothing ran. The statement still runs to its end, as D1's
    /// `first()` runs it (an error in a later row is still an error), but only the first row is
    /// built, and no `meta`, which `first()` does not return.
    func firstRowIfReadOnly(sql: String, values: [D1Value]) throws(D1Error) -> D1Row?? {
        guard let entry = try? cachedStatement(sql), entry.isReadOnly else { return nil }
        try D1ValueBinding.validate(values)
        let statement = entry.statement
        defer { statement.reset() }
        entry.fullScanCountIsStale = true
        try bind(values, to: statement, parameterCount: entry.parameterCount)
        try startClock(for: statement)
        defer { clock = .idle }
        do throws(SQLiteError) {
            var first: D1Row?
            if try statement.step() {
                // After the first step, which re-prepares the statement after a schema change.
                let count = statement.columnCount
                first = D1Row(columns: entry.columnNames(), values: rowValues(statement, count: count))
                while try statement.step() {}
            }
            return .some(first)
        } catch {
            throw failure(error)
        }
    }

    /// Runs `entry` (or, when `nil`, each statement of `sql`) and builds D1's result and `meta`.
    /// - Parameter clock: the uptime in nanoseconds when the statement began; on return, when it
    ///   ended (a batch starts the next statement's duration there, with one clock read each).
    private func execute(
        _ entry: StatementCache.Entry?,
        sql: String,
        values: [D1Value],
        clock: inout UInt64,
        sizeAfter: () -> Int64
    ) throws(D1Error)
        -> D1Result
    {
        let totalBefore = sqlite.totalChanges
        var outcome: StatementOutcome
        if let entry {
            if isReader && !entry.isReadOnly {
                throw D1Error("D1_ERROR: attempt to write a readonly database: SQLITE_READONLY")
            }
            outcome = try run(entry.statement, cached: entry, values: values, schemaChange: entry.isSchemaChange)
        } else {
            outcome = try runSeveral(sql: sql, values: values)
        }
        let changed = sqlite.totalChanges - totalBefore
        let changes = changed > 0 ? sqlite.changes : 0
        let changedDB = changed > 0 || outcome.schemaChanged
        if changes > outcome.rowsRead { outcome.rowsRead = changes }
        let end = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(end - clock) / 1_000_000
        clock = end
        let meta = D1Meta(
            duration: elapsed,
            changes: changes,
            lastRowId: sqlite.lastInsertRowID,
            changedDB: changedDB,
            rowsRead: outcome.rowsRead,
            rowsWritten: outcome.rowsWritten,
            sizeAfter: sizeAfter()
        )
        return D1Result(columns: outcome.columns, results: outcome.rows, success: true, meta: meta)
    }

    /// Runs each statement of `sql` in turn; only the last may have parameters and gets `values`.
    private func runSeveral(sql: String, values: [D1Value]) throws(D1Error) -> StatementOutcome {
        var failure: D1Error?
        var total = StatementOutcome()
        var ranAny = false
        sql.utf8CString.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var cursor: UnsafePointer<CChar> = base
            while cursor.pointee != 0 {
                let prepared: (statement: SQLiteStatement?, tail: UnsafePointer<CChar>?)
                do throws(SQLiteError) {
                    prepared = try sqlite.prepare(cursor, byteCount: buffer.count - (cursor - base), persistent: false)
                } catch {
                    failure = self.failure(error)
                    return
                }
                guard let statement = prepared.statement else { break }  // only white space or comments were left
                defer { statement.finalize() }
                let tail = prepared.tail
                let isLast = SQLText.isBlank(tail)
                if !isLast && statement.parameterCount > 0 {
                    failure = D1Error("D1_ERROR: \(D1Messages.parametersOnlyLast)")
                    return
                }
                if isReader && !statement.isReadOnly {
                    failure = D1Error("D1_ERROR: attempt to write a readonly database: SQLITE_READONLY")
                    return
                }
                do throws(D1Error) {
                    let outcome = try run(
                        statement,
                        cached: nil,
                        values: isLast ? values : [],
                        schemaChange: StatementCache.isSchemaChange(statement)
                    )
                    total.columns = outcome.columns
                    total.rows = outcome.rows
                    total.rowsRead += outcome.rowsRead
                    total.rowsWritten += outcome.rowsWritten
                    total.schemaChanged = total.schemaChanged || outcome.schemaChanged
                    ranAny = true
                } catch {
                    failure = error
                    return
                }
                guard let tail else { break }
                cursor = tail
            }
        }
        if let failure { throw failure }
        guard ranAny else { throw D1Error(D1Messages.noStatements) }
        return total
    }

    /// Binds `values` to `statement`, steps it to the end and resets it. The column names come from
    /// `cached` when the statement is a cached one.
    private func run(
        _ statement: SQLiteStatement,
        cached: StatementCache.Entry?,
        values: [D1Value],
        schemaChange: Bool
    ) throws(D1Error)
        -> StatementOutcome
    {
        // Every parameter is bound on each run (the count must match), so no clear_bindings.
        defer { statement.reset() }
        try bind(values, to: statement, parameterCount: cached?.parameterCount ?? statement.parameterCount)
        var outcome = StatementOutcome()
        if let cached, cached.fullScanCountIsStale {
            // rows_read counts full-scan steps of this run only: drop what first() runs left.
            _ = statement.status(.fullScanSteps, reset: true)
            cached.fullScanCountIsStale = false
        }
        try startClock(for: statement)
        defer { clock = .idle }
        do throws(SQLiteError) {
            var hasRow = try statement.step()
            // Read after the first step: a schema change since the statement was prepared makes SQLite
            // prepare it again inside that step, and `SELECT *` may then have other columns.
            let columnCount = statement.columnCount
            outcome.columns = cached?.columnNames() ?? statement.columnNames()
            while hasRow {
                outcome.rows.append(D1Row(columns: outcome.columns, values: rowValues(statement, count: columnCount)))
                hasRow = try statement.step()
            }
        } catch {
            // The full-scan counter holds this failed run's steps: the next run drops them.
            cached?.fullScanCountIsStale = true
            throw failure(error)
        }
        // A full scan of n rows steps forward n - 1 times (https://sqlite.org/c3ref/c_stmtstatus_counter.html):
        // it read n rows, whatever it returned; otherwise count the rows returned.
        let scanSteps = Int64(statement.status(.fullScanSteps, reset: true))
        outcome.rowsRead = scanSteps > 0 ? max(scanSteps + 1, Int64(outcome.rows.count)) : Int64(outcome.rows.count)
        if !statement.isReadOnly {
            outcome.rowsWritten = schemaChange ? 1 : sqlite.changes
        }
        outcome.schemaChanged = schemaChange
        return outcome
    }

    /// Binds `values` to `statement`'s `parameterCount` parameters, in order.
    /// - Throws: ``D1Error`` when the count differs from the statement's parameters (D1 refuses a
    ///   statement that does not get exactly as many values as it has parameters, the highest
    ///   `?NNN` counting, rather than binding NULL to the missing ones), or SQLite refuses a value.
    private func bind(_ values: [D1Value], to statement: SQLiteStatement, parameterCount: Int32) throws(D1Error) {
        guard Int(parameterCount) == values.count else {
            throw D1Error("D1_ERROR: \(D1Messages.wrongParameterCount)")
        }
        do throws(SQLiteError) {
            try statement.bind(values)
        } catch {
            throw failure(error)
        }
    }

    /// The current row's values.
    private func rowValues(_ statement: SQLiteStatement, count: Int32) -> [D1Value] {
        var values: [D1Value] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count { values.append(statement.value(at: column)) }
        return values
    }

    /// Runs `statements` in one transaction (`BEGIN IMMEDIATE`, so a second process waits on the
    /// busy timeout instead of failing mid-way); on the first failure everything is rolled back.
    /// - Throws: the failing statement's ``D1Error``.
    func batch(_ statements: [D1PreparedStatement], sizeAfter: () -> Int64) throws(D1Error) -> [D1Result] {
        // By index: `for statement in statements` copies each statement (its database existential
        // and two arrays) where only two of its fields are read.
        for index in statements.indices { try D1ValueBinding.validate(statements[index].values) }
        try executeInternal("BEGIN IMMEDIATE")
        var results: [D1Result] = []
        results.reserveCapacity(statements.count)
        var clock = DispatchTime.now().uptimeNanoseconds
        do {
            for index in statements.indices {
                let sql = statements[index].sql
                let entry = try cachedStatement(sql)
                results.append(try execute(entry, sql: sql, values: statements[index].values, clock: &clock, sizeAfter: { 0 }))
            }
            try executeInternal("COMMIT")
        } catch {
            try? executeInternal("ROLLBACK")
            throw error
        }
        let size = sizeAfter()
        for index in results.indices { results[index].meta.sizeAfter = size }
        return results
    }
}
