import Drover
import DroverD1
import Foundation
import Testing

@Suite("SQLiteD1Database: batch, exec, limits")
struct BatchExecLimitsTests {
    @Test("batch runs as one transaction and returns one result per statement")
    func batchCommits() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        let results = try await db.batch([
            db.prepare("INSERT INTO t (v) VALUES (?)").bind("a"),
            db.prepare("INSERT INTO t (v) VALUES (?)").bind("b"),
            db.prepare("SELECT count(*) AS n FROM t"),
        ])
        #expect(results.count == 3)
        #expect(results[1].meta.lastRowId == 2)
        #expect(results[2].results.first?["n"] == 2)
    }

    @Test("a failing statement rolls the whole batch back")
    func batchRollsBack() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        let message = await TestDatabase.errorMessage {
            _ = try await db.batch([
                db.prepare("INSERT INTO t (v) VALUES (?)").bind("a"),
                db.prepare("INSERT INTO t (v) VALUES (?)").bind(nil),
                db.prepare("INSERT INTO t (v) VALUES (?)").bind("c"),
            ])
        }
        #expect(message == "D1_ERROR: NOT NULL constraint failed: t.v: SQLITE_CONSTRAINT")
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 0)
        // A bad value anywhere refuses the batch before anything runs.
        let typeError = await TestDatabase.errorMessage {
            _ = try await db.batch([
                db.prepare("INSERT INTO t (v) VALUES (?)").bind("a"),
                db.prepare("INSERT INTO t (v) VALUES (?)").bind(.real(.nan)),
            ])
        }
        #expect(typeError?.hasPrefix("D1_TYPE_ERROR") == true)
        // The writer is usable afterwards.
        _ = try await db.prepare("INSERT INTO t (v) VALUES ('ok')").run()
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 1)
    }

    @Test("exec runs one query per line and counts them")
    func exec() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let result = try await db.exec(
            "CREATE TABLE t (v)\nINSERT INTO t VALUES (1)\n\nINSERT INTO t VALUES (2); INSERT INTO t VALUES (3)\n"
        )
        #expect(result.count == 3)
        #expect(result.duration >= 0)
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 3)
    }

    @Test("exec errors name the line")
    func execError() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let message = await TestDatabase.errorMessage {
            _ = try await db.exec("CREATE TABLE t (v)\nINSERT INTO nope VALUES (1)")
        }
        #expect(message == "D1_EXEC_ERROR: Error in line 2: INSERT INTO nope VALUES (1): no such table: nope: SQLITE_ERROR")
        let multiline = await TestDatabase.errorMessage { _ = try await db.exec("CREATE TABLE u (\n v\n)") }
        #expect(multiline == "D1_EXEC_ERROR: Error in line 1: CREATE TABLE u (: incomplete input: SQLITE_ERROR")
        let empty = await TestDatabase.errorMessage { _ = try await db.exec("  \n ") }
        #expect(empty == "No SQL statements detected.")
    }

    @Test("101 bound parameters are refused; 100 are fine")
    func parameterLimit() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let hundred = "SELECT " + Array(repeating: "?", count: 100).joined(separator: ",")
        let values = (0..<100).map { D1Value.integer(Int64($0)) }
        #expect(try await db.prepare(hundred).bind(values).raw().first?.count == 100)
        let tooMany = "SELECT " + Array(repeating: "?", count: 101).joined(separator: ",")
        let message = await TestDatabase.errorMessage {
            _ = try await db.prepare(tooMany).bind(values + [1]).all()
        }
        #expect(message == "D1_ERROR: too many SQL variables: SQLITE_ERROR")
    }

    @Test("ATTACH, hand-written transactions, long statements and long LIKE patterns are refused")
    func limits() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let attach = await TestDatabase.errorMessage {
            _ = try await db.prepare("ATTACH DATABASE ? AS other").bind(.text(directory.file("other.db"))).run()
        }
        #expect(attach?.hasPrefix("D1_ERROR: not authorized") == true)
        let begin = await TestDatabase.errorMessage { _ = try await db.prepare("BEGIN TRANSACTION").run() }
        #expect(begin?.hasPrefix("D1_ERROR: not authorized") == true)
        let long = "SELECT '" + String(repeating: "x", count: 100_001) + "'"
        let tooLong = await TestDatabase.errorMessage { _ = try await db.prepare(long).all() }
        #expect(tooLong?.hasPrefix("D1_ERROR: ") == true)
        let pattern = String(repeating: "a", count: 51)
        let like = await TestDatabase.errorMessage {
            _ = try await db.prepare("SELECT 'a' LIKE ?").bind(.text(pattern)).all()
        }
        #expect(like == "D1_ERROR: LIKE or GLOB pattern too complex: SQLITE_ERROR")
        let columns = "SELECT " + (0...100).map { "\($0) AS c\($0)" }.joined(separator: ",")
        let wide = await TestDatabase.errorMessage { _ = try await db.prepare(columns).all() }
        #expect(wide == "D1_ERROR: too many columns in result set: SQLITE_ERROR")
    }

    @Test("dump returns the database file's bytes")
    func dumpBytes() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE t (v)\nINSERT INTO t VALUES ('x')")
        let bytes = try await db.dump()
        #expect(bytes.count >= 1024)
        #expect(Array(bytes.prefix(16)) == Array("SQLite format 3\0".utf8))
    }
}
