import DroverSQLite

/// The queue store's SQLite connection: its statements prepared once and reused, its transactions,
/// and SQLite's failures worded as ``QueuesError/storage(_:)`` naming the file.
///
/// ``QueueStore`` runs its SQL inside ``run(_:)`` or ``transaction(_:)``, whose bodies use the
/// ``SQLiteStatement``s of ``statement(_:)`` directly and throw ``SQLiteError``; each failure is
/// worded once, there: `queue store <path>: <SQLite's message>`.
///
/// Not thread-safe by itself: ``QueueStore`` owns it and runs every call on its serial executor.
/// `@unchecked Sendable` because the only owner is that actor, which never uses it concurrently.
final class QueueDatabase: @unchecked Sendable {
    private let connection: SQLiteConnection
    private var cache: [String: SQLiteStatement] = [:]
    let path: String

    /// Opens (creating when absent) the database at `path`.
    /// - Throws: ``QueuesError/storage(_:)`` `cannot open queue store <path>: <message>`.
    init(path: String) throws(QueuesError) {
        let connection: SQLiteConnection
        do throws(SQLiteError) {
            connection = try SQLiteConnection(path: path, options: [.readWrite, .create, .noMutex])
            // No SQL of the store's own needs what defensive mode refuses (writable_schema and the
            // like, https://sqlite.org/security.html), so nothing can corrupt the file that way.
            _ = try connection.configure(.defensive, on: true)
        } catch {
            throw .storage("cannot open queue store \(path): \(error.message)")
        }
        self.connection = connection
        self.path = path
    }

    deinit {
        // The statements first, so the connection closes at once rather than when the last goes.
        for statement in cache.values { statement.finalize() }
        cache.removeAll()
        connection.close()
    }

    /// Runs `body`, which uses this database's statements.
    /// - Throws: ``QueuesError/storage(_:)`` `queue store <path>: <message>` for SQLite's failure.
    func run<T>(_ body: () throws(SQLiteError) -> T) throws(QueuesError) -> T {
        do throws(SQLiteError) {
            return try body()
        } catch {
            throw .storage("queue store \(path): \(error.message)")
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, committing when it returns and rolling
    /// back when it throws. IMMEDIATE takes the write lock up front, so a writer in another process
    /// makes us wait (busy timeout) instead of failing mid-transaction
    /// (https://www.sqlite.org/lang_transaction.html).
    /// - Throws: ``QueuesError/storage(_:)`` as ``run(_:)``; nothing of the transaction is kept.
    func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(QueuesError) -> T {
        try run { () throws(SQLiteError) in
            try connection.execute("BEGIN IMMEDIATE")
            do throws(SQLiteError) {
                let result = try body()
                try connection.execute("COMMIT")
                return result
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs one or more statements without results.
    /// - Throws: ``SQLiteError`` from the first that fails.
    func execute(_ sql: String) throws(SQLiteError) {
        try connection.execute(sql)
    }

    /// A prepared statement for `sql`, reused across calls (reset and unbound when reused).
    /// - Throws: ``SQLiteError`` when SQLite refuses `sql`.
    func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = cache[sql] {
            cached.reset()
            cached.clearBindings()
            return cached
        }
        guard let statement = try connection.prepare(sql, persistent: true).statement else {
            throw .misuse("no statement in \(sql)")
        }
        cache[sql] = statement
        return statement
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(connection.changes) }
}
