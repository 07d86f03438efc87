import Drover
import DroverSQLite
import Foundation
import Synchronization

/// The D1 binding on a local SQLite file, with D1's API, result shapes, limits and error prefixes.
///
/// One write connection serialises every write, `batch` and `exec`; a small pool of read
/// connections serves statements SQLite reports as read-only (https://sqlite.org/c3ref/stmt_readonly.html), in
/// parallel. In WAL mode (https://sqlite.org/wal.html) a long read never blocks the writer, and a
/// second process (the CLI beside `drover dev`) on the same file waits on the busy timeout instead
/// of failing. Each connection lives behind its own serial queue, so SQLite's blocking calls never
/// run on Swift's cooperative pool.
///
/// The file is `<state>/d1/<database_name>.sqlite` (``path(stateDirectory:databaseName:)``), an
/// ordinary SQLite database anyone can open with the `sqlite3` shell; the WAL is checkpointed
/// shortly after writes and on ``close()``.
///
/// SQL runs under D1's rules (the functions, pragmas and virtual tables D1 allows, its limits, no
/// `ATTACH` or hand-written transactions) and D1's 30 s limit per statement, past which it fails
/// with `D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.`
package final class SQLiteD1Database: D1Database {
    /// The database file.
    package let path: String
    private let logger: Logger
    private let writer: ConnectionActor
    private let readers: ReaderPool?
    /// SQL texts the writer ran and found read-only: when every reader is busy, these wait for one.
    private let readOnlySQL = Mutex<Set<String>>([])
    /// The database size after the latest write, reported by reads as `meta.size_after`.
    private let lastKnownSize = Atomic<Int64>(0)
    /// The counter of ``latestBookmark`` (see ``D1Bookmark``): the time of opening, then advanced by
    /// each write that changed the database.
    private let bookmarkCounter = Atomic<UInt64>(D1Bookmark.now())
    private let closed = Atomic<Bool>(false)
    /// Reads that ran past the in-place budget and go on on their reader's queue. While every
    /// reader has one, a read does not wait for a reader (it could wait up to the time limit): the
    /// writer runs it.
    private let longReads = Atomic<Int>(0)

    /// How long after a write the WAL is checkpointed, in seconds.
    private static let checkpointDelay = 0.25

    /// The file of database `databaseName` under the state directory: `<state>/d1/<name>.sqlite`.
    /// A `/` in the name becomes `_`, so the name never escapes the folder.
    package static func path(stateDirectory: String, databaseName: String) -> String {
        let safe = databaseName.replacingOccurrences(of: "/", with: "_")
        return (stateDirectory as NSString).appendingPathComponent("d1/\(safe).sqlite")
    }

    /// Opens (creating when absent, with its folder) the database at `path`.
    /// - Parameters:
    ///   - readers: read connections in the pool; 0 sends every statement to the writer.
    ///   - timeLimit: how long one statement may run before it fails with D1's timeout error: D1's
    ///     30 s by default (https://developers.cloudflare.com/d1/platform/limits/); tests pass less.
    /// - Throws: ``D1Error`` when the file cannot be opened or configured.
    package init(path: String, logger: Logger, readers: Int = 4, timeLimit: Duration = .seconds(30)) throws {
        self.path = path
        self.logger = logger
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            // State: its owner's only, as the database file itself (see SQLiteConnection).
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        }
        let name = (path as NSString).lastPathComponent
        let writerConnection = try D1Connection(path: path, isReader: false, timeLimit: timeLimit)
        self.writer = ConnectionActor(connection: writerConnection, label: "drover.d1.\(name).writer")
        lastKnownSize.store(writer.runSynchronously { $0.databaseSize() }, ordering: .relaxed)
        var pool: [ConnectionActor] = []
        for index in 0..<max(0, readers) {
            let connection = try D1Connection(path: path, isReader: true, timeLimit: timeLimit)
            pool.append(ConnectionActor(connection: connection, label: "drover.d1.\(name).reader\(index)"))
        }
        self.readers = pool.isEmpty ? nil : ReaderPool(readers: pool)
        logger.debug("d1 opened", metadata: ["path": path, "readers": String(pool.count)])
    }

    deinit {
        close()
    }

    /// Stops the statements running now, checkpoints and truncates the WAL, then closes every
    /// connection; later calls throw `D1_ERROR: database is closed`. Closing twice does nothing.
    ///
    /// A running statement does not hold close up to its time limit: each connection is interrupted
    /// first (`sqlite3_interrupt`, safe from this thread while the connections are open), so the
    /// statement fails with `D1_ERROR: database is closed` (a write is rolled back, a batch as a
    /// whole), and calls queued behind it are refused the same way. What can still hold close up is
    /// a write waiting for another process's lock, for at most the busy timeout (5 s).
    package func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        writer.connection.interruptForClose()
        for reader in readers?.all ?? [] { reader.connection.interruptForClose() }
        writer.runSynchronously { connection in
            connection.checkpoint(truncate: true)
            connection.close()
        }
        // Reads in place use a reader off its queue: wait for them before closing the readers
        // (reads on a reader's queue are ordered with its close there).
        readers?.close()
        for reader in readers?.all ?? [] { reader.runSynchronously { $0.close() } }
    }

    private func checkOpen() throws(D1Error) {
        if closed.load(ordering: .acquiring) { throw D1Error.closed }
    }

    // MARK: - D1Database

    /// Runs one statement: on a reader when it only reads, else on the writer.
    ///
    /// An idle reader is asked first: its statement cache knows whether `sql` is one read-only
    /// statement (preparing it there the first time), so a read costs no look-up beyond the one it
    /// needs anyway, and a write costs one cache look-up before it goes to the writer. When every
    /// reader is busy, a read the writer has found read-only before waits for a reader; anything
    /// else goes to the writer, never waiting behind reads.
    ///
    /// An idle reader runs the read on the calling thread, with no thread hop. Every use of a reader
    /// connection is under a lease from the pool (``close()`` takes them all first), so the lease
    /// makes the connection the caller's alone. A read on a WAL database does not wait for writers
    /// (sqlite.org/wal.html §2.2), and a read that runs past a few milliseconds there is stopped
    /// before it returned anything and run again on the reader's own queue: the calling thread (an
    /// HTTP event loop's) is held only for a short read's own work.
    /// - Throws: ``D1Error`` (`D1_ERROR: ...`, `D1_TYPE_ERROR: ...`).
    package func execute(_ statement: D1PreparedStatement) async throws -> D1Result {
        try checkOpen()
        let sql = statement.sql
        let values = statement.values
        let size = lastKnownSize.load(ordering: .relaxed)
        switch try onIdleReader({ reader throws(D1Error) in
            try reader.executeIfReadOnly(sql: sql, values: values, sizeAfter: { size })
        }) {
        case .answered(let result):
            return result
        case .notRun(let readerDeclined):
            return try await executeWithoutIdleReader(sql: sql, values: values, readerDeclined: readerDeclined)
        case .overBudget(let lease):
            // The same read again, on the reader's own queue (the closure is written twice so the
            // common path above stays synchronous, with no closure context to keep).
            let result = try await finishOnReaderQueue(lease) { reader throws(D1Error) in
                try reader.executeIfReadOnly(sql: sql, values: values, sizeAfter: { size })
            }
            if let result { return result }
            return try await executeWithoutIdleReader(sql: sql, values: values, readerDeclined: true)
        }
    }

    /// `first()`: routed as ``execute(_:)``, but a reader builds only the first row and no `meta`.
    package func firstRow(_ statement: D1PreparedStatement) async throws -> D1Row? {
        try checkOpen()
        let sql = statement.sql
        let values = statement.values
        switch try onIdleReader({ reader throws(D1Error) in try reader.firstRowIfReadOnly(sql: sql, values: values) }) {
        case .answered(let row):
            return row
        case .notRun(let readerDeclined):
            return try await executeWithoutIdleReader(sql: sql, values: values, readerDeclined: readerDeclined).results.first
        case .overBudget(let lease):
            let answer = try await finishOnReaderQueue(lease) { reader throws(D1Error) in
                try reader.firstRowIfReadOnly(sql: sql, values: values)
            }
            if case .some(let row) = answer { return row }
            return try await executeWithoutIdleReader(sql: sql, values: values, readerDeclined: true).results.first
        }
    }

    /// What a read offered to an idle reader came to.
    private enum IdleRead<T> {
        /// The reader ran it, on the calling thread.
        case answered(T)
        /// No reader was idle, or the reader declined: the SQL writes, holds several statements or
        /// did not prepare there.
        case notRun(readerDeclined: Bool)
        /// It ran past the in-place budget and was stopped before it returned anything; the lease
        /// is still held, for ``finishOnReaderQueue(_:_:)``.
        case overBudget(ReaderPool.Lease)
    }

    /// Runs `body` on an idle reader's connection, on this thread, under the reader's lease, within
    /// the in-place budget (`body` returns `nil` to decline).
    private func onIdleReader<T>(_ body: (D1Connection) throws(D1Error) -> T?) throws(D1Error) -> IdleRead<T> {
        guard let readers, let lease = readers.tryAcquireInPlace() else { return .notRun(readerDeclined: false) }
        let outcome: InPlaceOutcome<T?>
        do throws(D1Error) {
            outcome = try lease.reader.connection.runInPlace(body)
        } catch {
            readers.release(lease)
            throw error
        }
        switch outcome {
        case .finished(let answer?):
            readers.release(lease)
            return .answered(answer)
        case .finished(nil):
            readers.release(lease)
            return .notRun(readerDeclined: true)
        case .overBudget:
            readers.endInPlace(lease)  // from here on, through the reader's queue
            return .overBudget(lease)
        }
    }

    /// Runs `body` (a read that ran past the in-place budget) on `lease`'s reader queue with the full
    /// time limit, so the calling thread is free meanwhile, then gives the reader back. It only
    /// reads, so nothing was returned or changed by the first try.
    private func finishOnReaderQueue<T: Sendable>(
        _ lease: ReaderPool.Lease,
        _ body: @Sendable (D1Connection) throws(D1Error) -> T?
    ) async throws(D1Error) -> T? {
        defer { readers?.release(lease) }
        longReads.wrappingAdd(1, ordering: .relaxed)
        defer { longReads.wrappingSubtract(1, ordering: .relaxed) }
        return try await lease.reader.run(body)
    }

    /// Runs a statement no idle reader has run: on a reader, waiting for one, when every reader
    /// was busy (not every one with a long read) and the writer has found `sql` read-only before;
    /// else on the writer.
    /// - Parameter readerDeclined: a reader saw `sql` and did not run it (it writes, holds several
    ///   statements or did not prepare there).
    private func executeWithoutIdleReader(sql: String, values: [D1Value], readerDeclined: Bool) async throws -> D1Result {
        if !readerDeclined, let readers, longReads.load(ordering: .relaxed) < readers.all.count,
            readOnlySQL.withLock({ $0.contains(sql) })
        {
            let size = lastKnownSize.load(ordering: .relaxed)
            guard let lease = await readers.acquire() else { throw D1Error.closed }
            defer { readers.release(lease) }
            return try await lease.reader.run { connection throws(D1Error) in
                try connection.execute(sql: sql, values: values, sizeAfter: { size })
            }
        }
        let (result, readOnly) = try await writer.run { connection throws(D1Error) in
            let result = try connection.execute(sql: sql, values: values, sizeAfter: { connection.databaseSize() })
            return (result, connection.isCachedReadOnly(sql))
        }
        if readOnly, readers != nil {
            readOnlySQL.withLock { known in
                if known.count >= 4_096 { known.removeAll(keepingCapacity: true) }
                known.insert(sql)
            }
        }
        afterWrite(result.meta)
        return result
    }

    /// Runs `statements` in order as one transaction: all succeed or none is applied.
    /// - Throws: the first failing statement's ``D1Error``; nothing of the batch is kept.
    package func batch(_ statements: [D1PreparedStatement]) async throws -> [D1Result] {
        try checkOpen()
        if statements.isEmpty { return [] }
        let results = try await writer.run { connection throws(D1Error) in
            try connection.batch(statements, sizeAfter: { connection.databaseSize() })
        }
        if let last = results.last { afterWrite(last.meta, changed: results.contains { $0.meta.changedDB }) }
        return results
    }

    /// Runs `sql` as D1's `exec` does: each line is sent as its own query (so a statement must fit
    /// on one line), without parameters and without a transaction.
    /// - Returns: how many lines ran and their total duration in milliseconds.
    /// - Throws: ``D1Error`` `D1_EXEC_ERROR: Error in line <n>: <line>: <message>`; the lines before
    ///   it stay applied.
    package func exec(_ sql: String) async throws -> D1ExecResult {
        try checkOpen()
        let outcome = try await writer.run { connection throws(D1Error) in
            try connection.exec(sql, sizeAfter: { connection.databaseSize() })
        }
        afterWrite(D1Meta(changedDB: true, sizeAfter: outcome.size))
        return outcome.result
    }

    /// The database file's bytes (SQLite's serialization of the main database: a consistent snapshot
    /// that includes what is still in the WAL).
    package func dump() async throws -> [UInt8] {
        try checkOpen()
        return try await writer.run { connection throws(D1Error) in try connection.serialize() }
    }

    /// The bookmark of the database after this binding's latest write (or as opened), for
    /// ``D1DatabaseSession``: workerd's local bookmark format, advancing with each write that
    /// changed the database (``D1Bookmark``).
    package var latestBookmark: String? {
        D1Bookmark.text(bookmarkCounter.load(ordering: .relaxed))
    }

    // MARK: - Shared with the CLI and migrations

    /// Runs a SQL text of many statements (no parameters) as one transaction, one result per
    /// statement, as `drover d1 execute --command/--file` does.
    /// - Throws: ``D1Error`` `No SQL statements detected.` (no prefix, as D1 words it) for empty input, or the first
    ///   failing statement's error (nothing applied).
    package func executeScript(_ sql: String) async throws -> [D1Result] {
        let statements = SQLText.splitStatements(sql).map { prepare($0) }
        guard !statements.isEmpty else { throw D1Error(D1Messages.noStatements) }
        return try await batch(statements)
    }

    /// The database as SQL text, like the `sqlite3` shell's `.dump`.
    package func sqlDump(inTransaction: Bool = true) async throws -> String {
        try checkOpen()
        return try await writer.run { connection throws(D1Error) in try connection.sqlDump(inTransaction: inTransaction) }
    }

    /// The file path, its size in bytes and the number of tables, for `drover d1 info`.
    package func info() async throws -> D1DatabaseInfo {
        try checkOpen()
        let path = self.path
        return try await writer.run { connection throws(D1Error) in
            let tables = connection.integerPragma(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            return D1DatabaseInfo(path: path, sizeBytes: connection.databaseSize(), tableCount: Int(tables))
        }
    }

    private func afterWrite(_ meta: D1Meta, changed: Bool? = nil) {
        guard changed ?? meta.changedDB else { return }
        lastKnownSize.store(meta.sizeAfter, ordering: .relaxed)
        advanceBookmark()
        scheduleCheckpoint()
    }

    /// Moves ``latestBookmark`` past every bookmark handed out so far.
    private func advanceBookmark() {
        var current = bookmarkCounter.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = bookmarkCounter.compareExchange(
                expected: current,
                desired: D1Bookmark.next(after: current),
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }

    /// Checkpoints the WAL shortly after the latest write, once per burst of writes, so an outside
    /// reader of the main file sees recent writes.
    private func scheduleCheckpoint() {
        writer.scheduleOnce(after: Self.checkpointDelay) { connection in
            connection.checkpoint(truncate: false)
        }
    }
}

extension D1Error {
    /// What every call on a closed database throws.
    static let closed = D1Error("D1_ERROR: database is closed")
}

/// What `drover d1 info` prints.
package struct D1DatabaseInfo: Sendable, Hashable {
    /// The database file.
    package var path: String
    /// `page_count × page_size`, in bytes.
    package var sizeBytes: Int64
    /// Tables, not counting SQLite's own.
    package var tableCount: Int
}
