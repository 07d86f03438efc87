import CSQLite
import Drover
import DroverD1
import Foundation
import Testing

@Suite("SQLiteD1Database: API and types")
struct SQLiteD1DatabaseTests {
    @Test(
        "values round-trip with their types",
        arguments: [
            D1Value.integer(Int64.max), .integer(Int64.min), .integer(0), .real(3.25), .real(-0.5),
            .text("héllo 🌍 世界"), .text(""), .blob([0, 1, 254, 255]), .blob([]), .null,
        ]
    )
    func roundTrip(value: D1Value) async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE t (v)")
        _ = try await db.prepare("INSERT INTO t (v) VALUES (?)").bind(value).run()
        let read = try await db.prepare("SELECT v FROM t").first("v")
        #expect(read == value)
        // A second read goes through a reader connection.
        let again = try await db.prepare("SELECT v FROM t").first("v")
        #expect(again == value)
    }

    @Test("booleans bind as 1 and 0")
    func booleans() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let row = try await db.prepare("SELECT ? AS yes, ? AS no").bind(true, false).first()
        #expect(row?["yes"] == .integer(1))
        #expect(row?["no"] == .integer(0))
    }

    @Test("NaN and infinities are refused with D1_TYPE_ERROR")
    func nanRefused() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let nan = await TestDatabase.errorMessage { _ = try await db.prepare("SELECT ?").bind(.real(.nan)).all() }
        #expect(nan == "D1_TYPE_ERROR: Type 'number' not supported for value 'NaN'")
        let infinity = await TestDatabase.errorMessage {
            _ = try await db.prepare("SELECT ?").bind(.real(-.infinity)).all()
        }
        #expect(infinity == "D1_TYPE_ERROR: Type 'number' not supported for value '-Infinity'")
    }

    @Test("first, first(column), all, raw")
    func readForms() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)\nINSERT INTO users (name) VALUES ('ada'), ('bob')")
        let first = try #require(try await db.prepare("SELECT * FROM users ORDER BY id").first())
        #expect(first.columns == ["id", "name"])
        #expect(first["name"] == "ada")
        #expect(try await db.prepare("SELECT name FROM users WHERE id = ?").bind(2).first("name") == "bob")
        #expect(try await db.prepare("SELECT name FROM users WHERE id = ?").bind(9).first() == nil)
        #expect(try await db.prepare("SELECT name FROM users WHERE id = ?").bind(9).first("name") == nil)
        let missing = await TestDatabase.errorMessage {
            _ = try await db.prepare("SELECT name FROM users").first("nope")
        }
        #expect(missing == "D1_COLUMN_NOTFOUND: Column not found (nope)")
        let all = try await db.prepare("SELECT id, name FROM users ORDER BY id").all()
        #expect(all.success)
        #expect(all.results.map { $0["name"] } == ["ada", "bob"])
        #expect(all.meta.rowsRead >= 2)
        let raw = try await db.prepare("SELECT id, name FROM users ORDER BY id").raw()
        #expect(raw == [[1, "ada"], [2, "bob"]])
        let empty = try await db.prepare("SELECT id FROM users WHERE id < 0").all()
        #expect(empty.columns == ["id"])
        #expect(empty.results.isEmpty)
    }

    @Test("raw(columnNames: true) keeps duplicate column names")
    func rawDuplicateColumns() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE a (id INTEGER)\nCREATE TABLE b (id INTEGER)\nINSERT INTO a VALUES (1)\nINSERT INTO b VALUES (2)")
        let rows = try await db.prepare("SELECT a.id, b.id FROM a, b").raw(columnNames: true)
        #expect(rows == [["id", "id"], [1, 2]])
    }

    @Test("run reports changes, last_row_id, changed_db and size")
    func runMeta() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let create = try await db.prepare("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").run()
        #expect(create.meta.changedDB)
        let insert = try await db.prepare("INSERT INTO t (v) VALUES (?), (?)").bind("a", "b").run()
        #expect(insert.meta.changes == 2)
        #expect(insert.meta.lastRowId == 2)
        #expect(insert.meta.changedDB)
        #expect(insert.meta.rowsWritten == 2)
        #expect(insert.meta.sizeAfter > 0)
        #expect(insert.meta.duration >= 0)
        let update = try await db.prepare("UPDATE t SET v = 'c' WHERE id = 99").run()
        #expect(update.meta.changes == 0)
        #expect(!update.meta.changedDB)
        let select = try await db.prepare("SELECT * FROM t").run()
        #expect(select.meta.changes == 0)
        #expect(!select.meta.changedDB)
    }

    @Test("?NNN parameters bind by number")
    func numberedParameters() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let row = try await db.prepare("SELECT ?2 AS b, ?1 AS a, ?2 AS b2").bind("one", "two").first()
        #expect(row?.values == ["two", "one", "two"])
    }

    @Test("a missing or extra value is an error, not a silent NULL")
    func parameterCount() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let expected = "D1_ERROR: Wrong number of parameter bindings for SQL query."
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("SELECT ?, ?").bind(1).all() } == expected)
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("SELECT ?").all() } == expected)
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("SELECT 1").bind(1).all() } == expected)
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("SELECT ?3").bind(1, 2).all() } == expected)
    }

    @Test("several statements in one prepare: only the last may have parameters")
    func severalStatements() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let result = try await db.prepare("CREATE TABLE t (v); INSERT INTO t VALUES (?)").bind(7).run()
        #expect(result.meta.changes == 1)
        let failed = await TestDatabase.errorMessage {
            _ = try await db.prepare("CREATE TABLE t (v); INSERT INTO t VALUES (?)").bind(7).run()
        }
        #expect(failed == "D1_ERROR: table t already exists: SQLITE_ERROR")
        let rows = try await db.prepare("INSERT INTO t VALUES (1); SELECT v FROM t WHERE v > ?").bind(0).all()
        #expect(rows.results.map { $0["v"] } == [7, 1])
        let misplaced = await TestDatabase.errorMessage {
            _ = try await db.prepare("SELECT ?; SELECT 1").bind(1).all()
        }
        #expect(
            misplaced
                == "D1_ERROR: When executing multiple SQL statements in a single call, only the last statement can have parameters."
        )
    }

    @Test("empty SQL is 'No SQL statements detected.'", arguments: ["", "   ", "-- nothing\n", ";"])
    func emptySQL(sql: String) async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare(sql).all() } == "No SQL statements detected.")
    }

    @Test("SQLite errors carry D1_ERROR and SQLite's message")
    func sqliteErrors() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        #expect(
            await TestDatabase.errorMessage { _ = try await db.prepare("SELECT * FROM nowhere").all() }
                == "D1_ERROR: no such table: nowhere: SQLITE_ERROR"
        )
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        _ = try await db.prepare("INSERT INTO t VALUES (1)").run()
        #expect(
            await TestDatabase.errorMessage { _ = try await db.prepare("INSERT INTO t VALUES (1)").run() }
                == "D1_ERROR: UNIQUE constraint failed: t.id: SQLITE_CONSTRAINT"
        )
    }

    @Test("foreign keys are enforced")
    func foreignKeys() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY)\nCREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"
        )
        let message = await TestDatabase.errorMessage {
            _ = try await db.prepare("INSERT INTO child (parent_id) VALUES (?)").bind(42).run()
        }
        #expect(message == "D1_ERROR: FOREIGN KEY constraint failed: SQLITE_CONSTRAINT")
        #expect(try await db.prepare("PRAGMA foreign_keys").first("foreign_keys") == 1)
    }

    @Test("the database is in WAL mode at <state>/d1/<name>.sqlite")
    func walAndPath() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory, name: "shop")
        defer { db.close() }
        #expect(db.path == directory.file("d1/shop.sqlite"))
        #expect(FileManager.default.fileExists(atPath: db.path))
        // D1 refuses PRAGMA journal_mode from users: read the mode with the plain C API (WAL mode is
        // kept in the file).
        var handle: OpaquePointer?
        #expect(sqlite3_open_v2(db.path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        var statement: OpaquePointer?
        #expect(sqlite3_prepare_v2(handle, "PRAGMA journal_mode", -1, &statement, nil) == SQLITE_OK)
        defer { sqlite3_finalize(statement) }
        #expect(sqlite3_step(statement) == SQLITE_ROW)
        #expect(String(cString: sqlite3_column_text(statement, 0)) == "wal")
        #expect(
            await TestDatabase.errorMessage { _ = try await db.prepare("PRAGMA journal_mode").first() }
                == "D1_ERROR: not authorized: SQLITE_AUTH"
        )
    }

    @Test("a cached SELECT * sees a column added after it was first run", arguments: [0, 2])
    func schemaChangeReprepares(readers: Int) async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory, readers: readers)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)\nINSERT INTO t (a) VALUES ('x')")
        let before = try #require(try await db.prepare("SELECT * FROM t").first())
        #expect(before.columns == ["id", "a"])
        _ = try await db.exec("ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7")
        // The same SQL text: its cached statement is re-prepared by SQLite, with the new column.
        let after = try #require(try await db.prepare("SELECT * FROM t").first())
        #expect(after.columns == ["id", "a", "b"])
        #expect(after.values == [.integer(1), .text("x"), .integer(7)])
        let empty = try await db.prepare("SELECT * FROM t WHERE id = ?").bind(99).all()
        #expect(empty.columns == ["id", "a", "b"])
    }

    @Test("rows_read counts the rows a statement read: a full scan reads them all, a key lookup one")
    func rowsRead() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        _ = try await db.batch((1...10).map { db.prepare("INSERT INTO t (v) VALUES (?)").bind(.integer(Int64($0 % 2))) })
        #expect(try await db.prepare("SELECT * FROM t").all().meta.rowsRead == 10)
        // A full scan (no index on v) returning half the rows still reads all ten.
        let sql = "SELECT id FROM t WHERE v = ?"
        let scan = try await db.prepare(sql).bind(1).all()
        #expect(scan.results.count == 5)
        #expect(scan.meta.rowsRead == 10)
        #expect(try await db.prepare("SELECT * FROM t WHERE id = ?").bind(3).all().meta.rowsRead == 1)
        // first() runs of the same statement leave nothing behind in the next all()'s count.
        for _ in 0..<3 { _ = try await db.prepare(sql).bind(1).first() }
        #expect(try await db.prepare(sql).bind(1).all().meta.rowsRead == 10)
    }

    @Test("a closed database refuses work")
    func closed() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        db.close()
        db.close()
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("SELECT 1").all() } == "D1_ERROR: database is closed")
    }
}
