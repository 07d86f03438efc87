import CSQLite
import Drover
import DroverD1
import Foundation
import Testing

/// D1's limit on how long a statement runs, its reads that leave the caller's thread, and `close()`
/// stopping running statements. Every wait here is a hang guard, never a timing assertion: tests use
/// a short injected limit and assert on the error.
@Suite("SQLiteD1Database: time limit")
struct TimeLimitTests {
    /// A query that never ends by itself.
    static let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c"
    /// A write that never ends by itself.
    static let endlessInsert = "INSERT INTO t (v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT 'x' FROM c"
    static let timeout = "D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset."

    /// A database with table `t` holding one row, `(1, 'a')`.
    static func make(
        in directory: borrowing TemporaryDirectory,
        readers: Int = 2,
        timeLimit: Duration
    ) async throws -> SQLiteD1Database {
        let db = try TestDatabase.make(in: directory, readers: readers, timeLimit: timeLimit)
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)\nINSERT INTO t VALUES (1, 'a')")
        return db
    }

    @Test("an endless query fails with D1's timeout error through first(), all(), run() and raw()", arguments: [0, 2])
    func endlessRead(readers: Int) async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory, readers: readers, timeLimit: .milliseconds(200))
        defer { db.close() }
        let first = Task { try await db.prepare(Self.endless).first() }
        #expect(await HangGuard.errorMessage(of: first) == Self.timeout)
        let all = Task { try await db.prepare(Self.endless).all() }
        #expect(await HangGuard.errorMessage(of: all) == Self.timeout)
        let run = Task { try await db.prepare(Self.endless).run() }
        #expect(await HangGuard.errorMessage(of: run) == Self.timeout)
        // Several statements in one query: the endless one is stopped all the same.
        let several = Task { try await db.prepare("SELECT 1; " + Self.endless).raw() }
        #expect(await HangGuard.errorMessage(of: several) == Self.timeout)
        // The connections are usable afterwards.
        #expect(try await db.prepare("SELECT v FROM t WHERE id = ?").bind(1).first("v") == "a")
    }

    @Test("an endless statement in a batch fails with the timeout error and rolls the whole batch back")
    func endlessBatch() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory, timeLimit: .milliseconds(200))
        defer { db.close() }
        for endless in [Self.endless, Self.endlessInsert] {
            let batch = Task {
                try await db.batch([
                    db.prepare("INSERT INTO t (v) VALUES (?)").bind("b"),
                    db.prepare(endless),
                    db.prepare("INSERT INTO t (v) VALUES (?)").bind("c"),
                ])
            }
            #expect(await HangGuard.errorMessage(of: batch) == Self.timeout)
            #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 1)
        }
        // An endless write alone is rolled back too.
        let insert = Task { try await db.prepare(Self.endlessInsert).run() }
        #expect(await HangGuard.errorMessage(of: insert) == Self.timeout)
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 1)
        // The writer is usable afterwards.
        _ = try await db.prepare("INSERT INTO t (v) VALUES ('d')").run()
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 2)
    }

    @Test("an endless line of exec fails with the timeout error; the lines before it stay, as exec has no transaction")
    func endlessExec() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory, timeLimit: .milliseconds(200))
        defer { db.close() }
        let exec = Task { try await db.exec("INSERT INTO t (v) VALUES ('b')\n\(Self.endless)\nINSERT INTO t (v) VALUES ('c')") }
        #expect(
            await HangGuard.errorMessage(of: exec)
                == "D1_EXEC_ERROR: Error in line 2: \(Self.endless): D1 DB storage operation exceeded timeout which caused object to be reset."
        )
        #expect(try await db.prepare("SELECT v FROM t ORDER BY id").raw() == [["a"], ["b"]])
    }

    @Test("endless reads started from one thread give it back at once; other reads are still answered")
    func endlessReadsFreeTheCallersThread() async throws {
        let directory = try TemporaryDirectory()
        // A limit far above the hang guard's: the reads only end when the database closes.
        let db = try await Self.make(in: directory, readers: 2, timeLimit: .seconds(600))
        // An event loop's thread: a read run in place holds it, and every task on it, while it runs.
        let loop = SerialTaskExecutor(label: "test.event-loop")
        let endless = (0..<2).map { _ in
            Task(executorPreference: loop) { () async throws -> D1Row? in try await db.prepare(Self.endless).first() }
        }
        // The thread runs other work while both reads go on (each left it within its in-place budget).
        let onLoop = Task(executorPreference: loop) { () async throws -> Int in 42 }
        #expect(try await HangGuard.outcome(of: onLoop)?.get() == 42)
        // With both readers busy, a point select is still answered, from the loop too. The second
        // time, the writer has found it read-only, which would make it wait for a reader: not for
        // readers held by long reads.
        for _ in 0..<2 {
            let point = Task(executorPreference: loop) { () async throws -> D1Value? in
                try await db.prepare("SELECT v FROM t WHERE id = ?").bind(1).first("v")
            }
            #expect(try await HangGuard.outcome(of: point)?.get() == "a")
        }
        // Closing stops both reads instead of waiting for their limit.
        let close = Task { () async throws in db.close() }
        #expect(await HangGuard.outcome(of: close) != nil)
        for read in endless {
            #expect(await HangGuard.errorMessage(of: read) == "D1_ERROR: database is closed")
        }
    }

    @Test("close() during endless statements returns, they fail as closed, and nothing was half-applied")
    func closeDuringEndlessStatements() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory, readers: 1, timeLimit: .seconds(600))
        let read = Task { try await db.prepare(Self.endless).all() }
        let batch = Task {
            try await db.batch([db.prepare("INSERT INTO t (v) VALUES ('b')"), db.prepare(Self.endlessInsert)])
        }
        let queued = Task { try await db.prepare("INSERT INTO t (v) VALUES ('c')").run() }
        // The batch holds the write lock once it runs: wait for that, so close comes while it runs.
        #expect(await HangGuard.outcome(of: Task { try await Self.waitForWriteLock(on: db.path) }) != nil)
        let close = Task { () async throws in db.close() }
        #expect(await HangGuard.outcome(of: close) != nil)
        #expect(await HangGuard.errorMessage(of: read) == "D1_ERROR: database is closed")
        #expect(await HangGuard.errorMessage(of: batch) == "D1_ERROR: database is closed")
        // The insert queued behind the batch either ran first or was refused.
        let queuedOutcome = await HangGuard.errorMessage(of: queued)
        #expect(queuedOutcome == "D1_ERROR: database is closed" || queuedOutcome == "no error")

        let reopened = try TestDatabase.make(in: directory)
        defer { reopened.close() }
        let values = try await reopened.prepare("SELECT v FROM t ORDER BY id").raw()
        #expect(values == [["a"]] || values == [["a"], ["c"]])
        _ = try await reopened.prepare("INSERT INTO t (v) VALUES ('d')").run()
        #expect(try await reopened.prepare("SELECT count(*) AS n FROM t WHERE v = 'd'").first("n") == 1)
    }

    /// Returns once another connection holds the write lock on `path`: `BEGIN IMMEDIATE` there
    /// answers `SQLITE_BUSY` (https://sqlite.org/lang_transaction.html). Polls; the caller bounds it.
    static func waitForWriteLock(on path: String) async throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            throw D1Error("cannot open \(path)")
        }
        defer { sqlite3_close(handle) }
        while true {
            let rc = sqlite3_exec(handle, "BEGIN IMMEDIATE", nil, nil, nil)
            if rc == SQLITE_BUSY { return }
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
