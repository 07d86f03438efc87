import Dispatch
import Drover
import DroverSQLite
import Synchronization

/// One SQLite connection (a ``SQLiteConnection``) configured as D1 configures its databases, with
/// D1's statement cache, time limit and error wording.
///
/// Confined to one serial queue (``ConnectionActor``), so it is opened in SQLite's multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`, https://sqlite.org/threadsafe.html). On open it sets what workerd, the
/// runtime D1 runs on, sets on every database (https://sqlite.org/security.html): defensive mode,
/// no FTS3 tokenizer pointers and no extension loading, SQLite's run-time limits
/// (https://sqlite.org/c3ref/limit.html) at D1's values, and an authorizer with D1's rules
/// (``D1Authorizer``); then `foreign_keys = ON`, WAL journal mode (https://sqlite.org/wal.html) and
/// a busy timeout. A progress handler stops a statement that runs past D1's time limit
/// (`D1Connection+TimeLimit.swift`).
///
/// Users' SQL is prepared and stepped in the ``D1Authorizer/Scope/user`` scope; Drover's own
/// (pragmas, `BEGIN IMMEDIATE`/`COMMIT`, the dump) only inside ``trusted(_:)``, and from a cache of
/// its own.
///
/// `@unchecked Sendable`: safe because every call happens on the owning ``ConnectionActor``'s serial
/// queue (actor-isolated `run` or `queue.sync`) or on the one thread holding the reader's lease,
/// never on two threads at once; ``interruptForClose()`` alone may come from another thread, and
/// touches only an atomic and `sqlite3_interrupt`.
final class D1Connection: @unchecked Sendable {
    /// D1's limits, set on every connection: workerd's `setupSecurity` values
    /// (https://developers.cloudflare.com/d1/platform/limits/).
    enum Limits {
        /// A string, blob or row: 2.2 MB, room for D1's 2 MB row.
        static let valueBytes: Int32 = 2_200_000
        static let statementBytes: Int32 = 100_000
        static let columns: Int32 = 100
        static let expressionDepth: Int32 = 100
        static let compoundSelectTerms: Int32 = 5
        static let programInstructions: Int32 = 25_000
        static let functionArguments: Int32 = 127
        static let attachedDatabases: Int32 = 0
        static let likePatternBytes: Int32 = 50
        static let boundParameters: Int32 = 100
        static let triggerDepth: Int32 = 10
        static let workerThreads: Int32 = 0
        /// How long one statement may run: D1's 30 s maximum query duration.
        static let timeLimit: Duration = .seconds(30)
        /// How long a read may hold the thread that called, before it moves to the reader's queue.
        static let inPlaceBudget: Duration = .milliseconds(5)
        /// How many virtual machine instructions pass between two calls of the progress handler: a
        /// point select (some 20) never reaches it, a long scan reaches it every 100 µs or so.
        static let progressInterval: Int32 = 10_000
    }

    /// The SQLite connection; closed by ``close()``.
    let sqlite: SQLiteConnection
    let path: String
    let isReader: Bool
    /// Whose SQL is being prepared and run: the authorizer reads it.
    private(set) var scope: D1Authorizer.Scope = .user
    private let userStatements = StatementCache()
    private let trustedStatements = StatementCache()

    // Time limit state (D1Connection+TimeLimit.swift), written on every statement's run and read by
    // the progress handler, all on the one thread using the connection. `@exclusivity(unchecked)`:
    // no access to them overlaps another (none is passed inout), so the run-time exclusivity check
    // each store would otherwise pay on the read path is dropped.
    /// Where the statement running now stands with its time limit.
    @exclusivity(unchecked) var clock: StatementClock = .idle
    /// Whether the statement runs on the caller's thread, with the in-place budget.
    @exclusivity(unchecked) var runsInPlace = false
    /// Why the progress handler stopped a statement, until the failure it caused is worded
    /// (``failure(_:)`` takes it).
    @exclusivity(unchecked) var interruption: Interruption?
    /// Set by ``interruptForClose()``, from any thread.
    let closeRequested = Atomic<Bool>(false)
    /// D1's time limit for one statement, in nanoseconds.
    let timeLimit: UInt64
    /// The in-place budget, in nanoseconds (never more than ``timeLimit``).
    let inPlaceBudget: UInt64

    /// Opens (creating when absent) the database at `path`.
    /// - Parameter timeLimit: how long one statement may run (D1's 30 s; tests pass less).
    /// - Throws: ``D1Error`` `D1_ERROR: cannot open database at <path>: <sqlite message>` when the
    ///   file cannot be opened, `D1_ERROR: <message>` when it cannot be configured.
    init(
        path: String,
        isReader: Bool,
        busyTimeoutMilliseconds: Int32 = 5_000,
        timeLimit: Duration = Limits.timeLimit
    ) throws(D1Error) {
        do throws(SQLiteError) {
            self.sqlite = try SQLiteConnection(path: path, options: [.readWrite, .create, .noMutex])
        } catch {
            throw D1Error("D1_ERROR: cannot open database at \(path): \(error.message)")
        }
        self.path = path
        self.isReader = isReader
        self.timeLimit = Self.nanoseconds(timeLimit)
        self.inPlaceBudget = min(Self.nanoseconds(Limits.inPlaceBudget), self.timeLimit)
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
        userStatements.removeAll()
        trustedStatements.removeAll()
        sqlite.close()
    }

    var isClosed: Bool { sqlite.isClosed }

    private func configure(busyTimeoutMilliseconds: Int32) throws(D1Error) {
        do throws(SQLiteError) {
            // `unowned`: the SQLite connection, and so its callbacks, never outlive `self`.
            try sqlite.applyWorkerdRules(busyTimeoutMilliseconds: busyTimeoutMilliseconds) { [unowned self] in scope }
        } catch {
            throw D1Error(sqlite: error)
        }
        sqlite.setProgressHandler(every: Limits.progressInterval) { [unowned self] in
            shouldInterrupt()
        }
        try executeInternal("PRAGMA foreign_keys = ON")
        if isReader {
            try executeInternal("PRAGMA query_only = ON")
        } else {
            try executeInternal("PRAGMA journal_mode = WAL")
            try executeInternal("PRAGMA synchronous = NORMAL")
        }
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    // MARK: - Drover's own statements

    /// Runs `body` as Drover's own SQL: the authorizer allows what Drover needs (transactions,
    /// pragmas users may not run) and statements come from Drover's own cache. Only for SQL Drover
    /// wrote: a user's statement is never prepared or stepped in here, since SQLite prepares a kept
    /// statement again inside `sqlite3_step` after a schema change and asks the authorizer again.
    func trusted<T>(_ body: () throws(D1Error) -> T) throws(D1Error) -> T {
        let previous = scope
        scope = .trusted
        defer { scope = previous }
        return try body()
    }

    /// Runs Drover's own SQL (pragmas, `BEGIN IMMEDIATE`, `COMMIT`), in the trusted scope.
    /// - Throws: ``D1Error`` `D1_ERROR: <message>`; `D1_ERROR: database is closed` when ``close()``
    ///   of the database interrupted it.
    func executeInternal(_ sql: String) throws(D1Error) {
        try trusted { () throws(D1Error) in
            do throws(SQLiteError) {
                try sqlite.execute(sql)
            } catch {
                throw failure(error)
            }
        }
    }

    /// The first column of the first row of Drover's own `sql`, as an integer (pragmas), prepared
    /// and stepped in the trusted scope.
    func integerPragma(_ sql: String) -> Int64 {
        (try? trusted { () throws(D1Error) -> Int64 in
            guard let statement = try cachedStatement(sql)?.statement else { return 0 }
            defer { statement.reset() }
            guard (try? statement.step()) == true else { return 0 }
            return statement.int64(0)
        }) ?? 0
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

    /// The cached statement for the whole of `sql` in the current scope's cache, preparing and
    /// caching it when it is one statement. Returns `nil` when `sql` holds several statements (or
    /// none), which are prepared one at a time by the caller.
    /// - Throws: ``D1Error`` `D1_ERROR: <message>` when SQLite refuses the first statement.
    func cachedStatement(_ sql: String) throws(D1Error) -> StatementCache.Entry? {
        // Each cache passed as it is stored (a borrow, no reference count traffic on the fast path).
        scope == .user ? try cachedStatement(sql, in: userStatements) : try cachedStatement(sql, in: trustedStatements)
    }

    private func cachedStatement(_ sql: String, in cache: StatementCache) throws(D1Error) -> StatementCache.Entry? {
        if let entry = cache.entry(for: sql) { return entry }
        let prepared: (statement: SQLiteStatement?, restIsBlank: Bool)
        do throws(SQLiteError) {
            prepared = try sqlite.prepare(sql, persistent: true)
        } catch {
            throw failure(error)
        }
        guard let statement = prepared.statement else { return nil }
        guard prepared.restIsBlank else {
            statement.finalize()
            return nil
        }
        return cache.insert(statement, for: sql)
    }

    /// The statement cached for users' `sql`, marked as just used; `nil` when none is (nothing is
    /// prepared).
    func cachedEntry(_ sql: String) -> StatementCache.Entry? {
        userStatements.entry(for: sql)
    }
}

extension D1Error {
    /// SQLite's failure as D1 words it: `D1_ERROR: <message>: <SQLITE_CODE>`
    /// (`D1_ERROR: NOT NULL constraint failed: t.v: SQLITE_CONSTRAINT`).
    init(sqlite error: SQLiteError) {
        self.init("D1_ERROR: \(error.message): \(error.codeName)")
    }

    /// A statement ran past D1's time limit: the error Cloudflare returns when a storage operation
    /// takes longer than 30 s.
    static let timeout = D1Error("D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.")
}
