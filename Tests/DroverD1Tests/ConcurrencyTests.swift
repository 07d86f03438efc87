import CSQLite
import Drover
import DroverD1
import Foundation
import Testing

@Suite("SQLiteD1Database: concurrency")
struct ConcurrencyTests {
    @Test("concurrent readers with a writer see consistent data")
    func readersWithWriter() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory, readers: 3)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE counters (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)\nINSERT INTO counters VALUES (1, 0, 0)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for _ in 0..<200 {
                    // a and b move together inside one batch, so no reader may ever see them differ.
                    _ = try await db.batch([
                        db.prepare("UPDATE counters SET a = a + 1 WHERE id = ?").bind(1),
                        db.prepare("UPDATE counters SET b = b + 1 WHERE id = ?").bind(1),
                    ])
                }
            }
            for _ in 0..<6 {
                group.addTask {
                    var last: Int64 = 0
                    for _ in 0..<200 {
                        let row = try #require(try await db.prepare("SELECT a, b FROM counters WHERE id = ?").bind(1).first())
                        #expect(row["a"] == row["b"])
                        if case .integer(let a) = row["a"] {
                            #expect(a >= last)
                            last = a
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await db.prepare("SELECT a FROM counters").first("a") == 200)
    }

    @Test("two instances on one file (a dev server and a CLI) both work")
    func twoInstances() async throws {
        let directory = try TemporaryDirectory()
        let server = try TestDatabase.make(in: directory)
        defer { server.close() }
        let cli = try TestDatabase.make(in: directory)
        defer { cli.close() }
        _ = try await server.exec("CREATE TABLE t (v)")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for db in [server, cli] {
                group.addTask {
                    for index in 0..<100 { _ = try await db.prepare("INSERT INTO t VALUES (?)").bind(.integer(Int64(index))).run() }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await server.prepare("SELECT count(*) AS n FROM t").first("n") == 200)
        #expect(try await cli.prepare("SELECT count(*) AS n FROM t").first("n") == 200)
    }

    @Test("an open read transaction does not block writers (WAL)")
    func readDoesNotBlockWriter() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE t (v)\nINSERT INTO t VALUES (1)\nINSERT INTO t VALUES (2)")
        var handle: OpaquePointer?
        #expect(sqlite3_open_v2(db.path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        var statement: OpaquePointer?
        #expect(sqlite3_prepare_v2(handle, "SELECT v FROM t", -1, &statement, nil) == SQLITE_OK)
        defer { sqlite3_finalize(statement) }
        // The outside reader is now inside a read transaction, holding its snapshot.
        #expect(sqlite3_step(statement) == SQLITE_ROW)
        let insert = try await db.prepare("INSERT INTO t VALUES (?)").bind(3).run()
        #expect(insert.meta.changes == 1)
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 3)
        // The reader's snapshot is unchanged: it still sees two rows.
        var seen = 1
        while sqlite3_step(statement) == SQLITE_ROW { seen += 1 }
        #expect(seen == 2)
    }

    @Test("an outside reader with the plain C API sees writes after close")
    func outsideReader() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        _ = try await db.exec("CREATE TABLE t (v)\nINSERT INTO t VALUES ('visible')")
        db.close()
        var handle: OpaquePointer?
        #expect(sqlite3_open_v2(db.path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        var statement: OpaquePointer?
        #expect(sqlite3_prepare_v2(handle, "SELECT v FROM t", -1, &statement, nil) == SQLITE_OK)
        defer { sqlite3_finalize(statement) }
        #expect(sqlite3_step(statement) == SQLITE_ROW)
        #expect(String(cString: sqlite3_column_text(statement, 0)) == "visible")
        // The WAL was checkpointed and truncated on close.
        let walSize = (try? FileManager.default.attributesOfItem(atPath: db.path + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0)
    }
}
