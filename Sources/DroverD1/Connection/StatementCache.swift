import DroverSQLite

/// Prepared statements of one connection kept by their SQL text, at most `capacity`, the least
/// recently used one finalized first.
///
/// A connection keeps two: one for users' SQL and one for Drover's own, so that a user's text equal
/// to one of Drover's (`PRAGMA page_count`) never runs a statement the authorizer let through for
/// Drover. Used only on its connection's serial executor.
final class StatementCache {
    /// A prepared statement kept for reuse, with what D1 needs to know about it.
    final class Entry {
        let statement: SQLiteStatement
        let isReadOnly: Bool
        let parameterCount: Int32
        let isSchemaChange: Bool
        var lastUse: UInt64 = 0
        /// SQLite's full-scan step counter holds counts of runs that did not read it (`first()`, a
        /// run that failed).
        var fullScanCountIsStale = false
        /// The column names, and SQLite's re-prepare count when they were read.
        private var columns: [String] = []
        private var columnsPreparation: Int32 = -1

        init(_ statement: SQLiteStatement) {
            self.statement = statement
            self.isReadOnly = statement.isReadOnly
            self.parameterCount = statement.parameterCount
            self.isSchemaChange = StatementCache.isSchemaChange(statement)
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

    private var entries: [String: Entry] = [:]
    /// The last entry looked up: a batch repeating one SQL text skips hashing it.
    private var lastLookup: (sql: String, entry: Entry)?
    private var useCounter: UInt64 = 0
    private let capacity: Int

    /// An empty cache of at most `capacity` statements.
    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The entry for `sql`, marked as just used; `nil` when none is kept.
    func entry(for sql: String) -> Entry? {
        useCounter &+= 1
        // A repeated SQL text is usually the very same string, which `==` sees without comparing bytes.
        if let lastLookup, lastLookup.sql == sql {
            lastLookup.entry.lastUse = useCounter
            return lastLookup.entry
        }
        guard let entry = entries[sql] else { return nil }
        entry.lastUse = useCounter
        lastLookup = (sql, entry)
        return entry
    }

    /// Keeps `statement` for `sql`, finalizing the least recently used one when full.
    /// - Returns: its entry.
    func insert(_ statement: SQLiteStatement, for sql: String) -> Entry {
        let entry = Entry(statement)
        entry.lastUse = useCounter
        if entries.count >= capacity { evictOldest() }
        entries[sql] = entry
        lastLookup = (sql, entry)
        return entry
    }

    /// Finalizes every statement and forgets them.
    func removeAll() {
        lastLookup = nil
        for entry in entries.values { entry.statement.finalize() }
        entries.removeAll()
    }

    private func evictOldest() {
        guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { return }
        if lastLookup?.entry === oldest.value { lastLookup = nil }
        oldest.value.statement.finalize()
        entries.removeValue(forKey: oldest.key)
    }

    /// Whether `statement` changes the schema (`CREATE`, `DROP`, `ALTER`).
    static func isSchemaChange(_ statement: SQLiteStatement) -> Bool {
        let head = SQLText.firstKeyword(statement.sql)
        return head == "CREATE" || head == "DROP" || head == "ALTER"
    }
}
