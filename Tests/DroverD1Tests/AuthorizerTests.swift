import Drover
import DroverD1
import Foundation
import Testing

/// D1's rules on what SQL may do, through the public API: the functions, pragmas and virtual tables
/// D1 allows, and the refusals worded as D1 words SQLite's.
@Suite("SQLiteD1Database: D1's rules on functions, pragmas and virtual tables")
struct AuthorizerTests {
    /// SQLite refuses a function while it resolves names, with `SQLITE_ERROR` (D1 says the same).
    static func functionRefused(_ name: String) -> String { "D1_ERROR: not authorized to use function: \(name): SQLITE_ERROR" }
    /// Any other action the authorizer refuses fails to prepare with `SQLITE_AUTH`.
    static let refused = "D1_ERROR: not authorized: SQLITE_AUTH"
    /// The blob an attack registers as a tokenizer: 8 bytes SQLite would take for a C pointer.
    static let fakePointer: [UInt8] = Array(repeating: 0x41, count: 8)

    /// A database with a table `t`, an index `t_v`, and `c` referencing `t`.
    static func make(in directory: borrowing TemporaryDirectory, readers: Int = 2) async throws -> SQLiteD1Database {
        let db = try TestDatabase.make(in: directory, readers: readers)
        _ = try await db.exec(
            """
            CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)
            CREATE INDEX t_v ON t (v)
            CREATE TABLE c (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id))
            INSERT INTO t VALUES (1, 'a')
            """
        )
        return db
    }

    @Test("fts3_tokenizer() is refused: no address leaks, with a literal or a bound pointer", arguments: [0, 2])
    func fts3TokenizerRefused(readers: Int) async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory, readers: readers)
        defer { db.close() }
        let expected = Self.functionRefused("fts3_tokenizer")
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("SELECT hex(fts3_tokenizer('simple'))").all() } == expected)
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("SELECT fts3_tokenizer('simple') AS p").first() } == expected)
        #expect(
            await TestDatabase.errorMessage { _ = try await db.prepare("SELECT FTS3_TOKENIZER('simple')").raw() }
                == Self.functionRefused("FTS3_TOKENIZER")
        )
        let bound = await TestDatabase.errorMessage {
            _ = try await db.prepare("SELECT fts3_tokenizer('simple', ?)").bind(.blob(Self.fakePointer)).run()
        }
        #expect(bound == expected)
    }

    @Test("the tokenizer-pointer crash is refused through batch, exec and a multi-statement query; the process lives on")
    func fts3TokenizerCrashRefused() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        let register = "SELECT fts3_tokenizer('simple', X'4141414141414141')"
        let create = "CREATE VIRTUAL TABLE f USING fts3(body, tokenize=simple)"
        let expected = Self.functionRefused("fts3_tokenizer")
        #expect(await TestDatabase.errorMessage { _ = try await db.batch([db.prepare(register), db.prepare(create)]) } == expected)
        let boundBatch = await TestDatabase.errorMessage {
            _ = try await db.batch([
                db.prepare("SELECT fts3_tokenizer('simple', ?)").bind(.blob(Self.fakePointer)), db.prepare(create),
            ])
        }
        #expect(boundBatch == expected)
        #expect(
            await TestDatabase.errorMessage { _ = try await db.exec("\(register)\n\(create)") }
                == "D1_EXEC_ERROR: Error in line 1: \(register): not authorized to use function: fts3_tokenizer: SQLITE_ERROR"
        )
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare("\(register); \(create)").run() } == expected)
        #expect(await TestDatabase.errorMessage { _ = try await db.executeScript("\(register);\n\(create);") } == expected)
        // Even on its own, the FTS3 table the attack needs is refused.
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare(create).run() } == Self.refused)
        #expect(try await db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'f'").first("n") == 0)
        #expect(try await db.prepare("SELECT v FROM t WHERE id = ?").bind(1).first("v") == "a")
    }

    @Test("PRAGMA writable_schema is refused, to read or to set")
    func writableSchemaRefused() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        for sql in ["PRAGMA writable_schema=1", "PRAGMA writable_schema = ON", "PRAGMA writable_schema", "PRAGMA main.writable_schema = 1"] {
            #expect(await TestDatabase.errorMessage { _ = try await db.prepare(sql).run() } == Self.refused, "\(sql)")
            #expect(await TestDatabase.errorMessage { _ = try await db.batch([db.prepare(sql)]) } == Self.refused, "\(sql)")
        }
        let schemaWrite = await TestDatabase.errorMessage {
            _ = try await db.exec("PRAGMA writable_schema=1\nUPDATE sqlite_schema SET sql = 'x' WHERE name = 't'")
        }
        #expect(schemaWrite == "D1_EXEC_ERROR: Error in line 1: PRAGMA writable_schema=1: not authorized: SQLITE_AUTH")
    }

    @Test("virtual tables: fts3, fts4 and rtree are refused, fts5 and fts5vocab work")
    func virtualTables() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        for module in ["fts3(body)", "fts4(body)", "rtree(id, x0, x1)", "FTS3(body)"] {
            #expect(
                await TestDatabase.errorMessage { _ = try await db.prepare("CREATE VIRTUAL TABLE v USING \(module)").run() } == Self.refused,
                "\(module)"
            )
        }
        _ = try await db.prepare("CREATE VIRTUAL TABLE docs USING fts5(title, body)").run()
        _ = try await db.batch([
            db.prepare("INSERT INTO docs (title, body) VALUES (?, ?)").bind("one", "hello world"),
            db.prepare("INSERT INTO docs (title, body) VALUES (?, ?)").bind("two", "goodbye world"),
        ])
        let hits = try await db.prepare(
            "SELECT title, highlight(docs, 1, '[', ']') AS h, snippet(docs, 1, '[', ']', '…', 4) AS s, bm25(docs) AS rank FROM docs WHERE docs MATCH ? ORDER BY rank"
        ).bind("hello").all()
        #expect(hits.results.map { $0["title"] } == ["one"])
        #expect(hits.results.first?["h"] == "[hello] world")
        _ = try await db.prepare("CREATE VIRTUAL TABLE words USING fts5vocab(docs, 'row')").run()
        #expect(try await db.prepare("SELECT cnt FROM words WHERE term = ?").bind("world").first("cnt") == 2)
        _ = try await db.prepare("DROP TABLE words").run()
        _ = try await db.prepare("DROP TABLE docs").run()
    }

    @Test("a trigger or a view calling a refused function is refused when it would run, and nothing is written")
    func triggersAndViews() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        _ = try await db.exec(
            """
            CREATE TABLE log (what TEXT)
            CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (sqlite_version()); END
            CREATE VIEW versions AS SELECT sqlite_version() AS version
            """
        )
        let insert = await TestDatabase.errorMessage { _ = try await db.prepare("INSERT INTO t (v) VALUES ('b')").run() }
        #expect(insert == Self.functionRefused("sqlite_version"))
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 1)
        #expect(try await db.prepare("SELECT count(*) AS n FROM log").first("n") == 0)
        #expect(
            await TestDatabase.errorMessage { _ = try await db.prepare("SELECT version FROM versions").first() }
                == Self.functionRefused("sqlite_version")
        )
        // A trigger and a view using allowed functions work.
        _ = try await db.exec(
            """
            DROP TRIGGER t_log
            CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (upper(new.v)); END
            CREATE VIEW shouting AS SELECT upper(v) AS v FROM t
            """
        )
        _ = try await db.prepare("INSERT INTO t (v) VALUES ('b')").run()
        #expect(try await db.prepare("SELECT what FROM log").raw() == [["B"]])
        #expect(try await db.prepare("SELECT v FROM shouting ORDER BY v").raw() == [["A"], ["B"]])
    }

    @Test(
        "functions outside D1's list are refused by name",
        arguments: [
            ("SELECT sqlite_version()", "sqlite_version"), ("SELECT sqlite_source_id()", "sqlite_source_id"),
            ("SELECT sqlite_compileoption_used('THREADSAFE')", "sqlite_compileoption_used"),
            ("SELECT sqlite_compileoption_get(0)", "sqlite_compileoption_get"), ("SELECT fts5_source_id()", "fts5_source_id"),
            ("SELECT Sqlite_Version()", "Sqlite_Version"),
        ]
    )
    func refusedFunctions(sql: String, name: String) async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare(sql).all() } == Self.functionRefused(name))
    }

    @Test("functions on D1's list work, in any case")
    func allowedFunctions() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        let row = try #require(
            try await db.prepare(
                """
                SELECT ABS(-2) AS a, upper('x') AS u, printf('%03d', 7) AS p, json_extract('{"k":[1,2]}', '$.k[1]') AS j,
                '{"k":3}' ->> '$.k' AS arrow, coalesce(NULL, 'c') AS c, typeof(randomblob(4)) AS b,
                date('2024-01-02', '+1 day') AS d, (SELECT group_concat(value) FROM json_each('[1,2]')) AS e,
                (SELECT count(*) FROM t) AS n, row_number() OVER () AS r, hex(zeroblob(2)) AS z
                """
            ).first()
        )
        #expect(row.values == [2, "X", "007", 2, 3, "c", "blob", "2024-01-03", "1,2", 1, 1, "0000"])
    }

    @Test("load_extension() is on D1's list but loads nothing: extension loading is off")
    func loadExtensionOff() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        let message = await TestDatabase.errorMessage { _ = try await db.prepare("SELECT load_extension(?)").bind("/nonexistent/lib").all() }
        #expect(message == "D1_ERROR: not authorized: SQLITE_ERROR")
    }

    @Test(
        "pragmas on D1's list run with the arguments their signature allows",
        arguments: [
            "PRAGMA table_list", "PRAGMA table_info(t)", "PRAGMA table_xinfo('t')", "PRAGMA main.table_info(t)",
            "SELECT name FROM pragma_table_info('t')", "PRAGMA data_version", "PRAGMA foreign_keys", "PRAGMA foreign_keys = ON",
            "PRAGMA FOREIGN_KEYS = 'on'", "PRAGMA case_sensitive_like = false", "PRAGMA defer_foreign_keys",
            "PRAGMA defer_foreign_keys = off", "PRAGMA ignore_check_constraints = 0", "PRAGMA legacy_alter_table = no",
            "PRAGMA recursive_triggers = \"false\"", "PRAGMA reverse_unordered_selects = FALSE", "PRAGMA foreign_key_check",
            "PRAGMA foreign_key_check(c)", "PRAGMA foreign_key_list(c)", "PRAGMA index_list(t)", "PRAGMA index_info(t_v)",
            "PRAGMA index_xinfo(t_v)", "PRAGMA quick_check", "PRAGMA quick_check(1)", "PRAGMA quick_check(t)", "PRAGMA optimize",
            "PRAGMA optimize(2)", "PRAGMA optimize(0x10002)",
        ]
    )
    func allowedPragmas(sql: String) async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        _ = try await db.prepare(sql).all()
        _ = try await db.batch([db.prepare(sql)])
    }

    @Test("what the allowed pragmas answer")
    func pragmaAnswers() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        #expect(try await db.prepare("PRAGMA table_info(t)").raw() == [[0, "id", "INTEGER", 0, nil, 1], [1, "v", "TEXT", 0, nil, 0]])
        #expect(try await db.prepare("PRAGMA foreign_keys").first("foreign_keys") == 1)
        #expect(try await db.prepare("PRAGMA quick_check").first("quick_check") == "ok")
        #expect(try await db.prepare("PRAGMA index_list(t)").all().results.map { $0["name"] } == ["t_v"])
    }

    @Test(
        "every other pragma, and a listed one with an argument its signature refuses, is refused",
        arguments: [
            "PRAGMA writable_schema", "PRAGMA journal_mode", "PRAGMA journal_mode = DELETE", "PRAGMA JOURNAL_MODE = off",
            "PRAGMA query_only", "PRAGMA query_only = 0", "PRAGMA page_count", "PRAGMA page_size", "PRAGMA synchronous = OFF",
            "PRAGMA integrity_check", "PRAGMA schema_version", "PRAGMA schema_version = 1", "PRAGMA user_version = 3",
            "PRAGMA cache_size", "PRAGMA compile_options", "PRAGMA function_list", "PRAGMA pragma_list", "PRAGMA database_list",
            "PRAGMA trusted_schema = 1", "PRAGMA mmap_size = 1", "PRAGMA temp_store = MEMORY", "PRAGMA busy_timeout = 1",
            "PRAGMA locking_mode = EXCLUSIVE", "PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA data_version = 1",
            "PRAGMA foreign_keys = 2", "PRAGMA table_info", "PRAGMA index_list", "PRAGMA foreign_key_list", "PRAGMA optimize(abc)",
            "PRAGMA temp.foreign_keys", "PRAGMA table_info(_cf_KV)", "PRAGMA index_info(_CF_x)", "SELECT * FROM pragma_page_count",
        ]
    )
    func refusedPragmas(sql: String) async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare(sql).all() } == Self.refused)
        #expect(await TestDatabase.errorMessage { _ = try await db.batch([db.prepare(sql)]) } == Self.refused)
    }

    @Test(
        "D1's other refusals: its own _cf_ names, temporary objects, savepoints, ATTACH",
        arguments: [
            "CREATE TABLE _cf_KV (k, v)", "CREATE TABLE _CF_x (k)", "CREATE TEMP TABLE scratch (v)",
            "CREATE TEMPORARY VIEW tv AS SELECT 1", "SAVEPOINT s", "RELEASE s", "BEGIN", "COMMIT", "ROLLBACK",
            "ATTACH DATABASE ':memory:' AS other", "DETACH DATABASE other", "CREATE INDEX _cf_i ON t (v)",
        ]
    )
    func otherRefusals(sql: String) async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        #expect(await TestDatabase.errorMessage { _ = try await db.prepare(sql).all() } == Self.refused)
    }

    @Test("schema changes work under the rules: ALTER TABLE's own statements call only listed functions")
    func schemaChanges() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        _ = try await db.exec(
            """
            ALTER TABLE t ADD COLUMN w INTEGER DEFAULT 3
            ALTER TABLE t RENAME COLUMN w TO x
            ALTER TABLE t DROP COLUMN x
            ALTER TABLE c RENAME TO children
            CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT DEFAULT CURRENT_TIMESTAMP)
            INSERT INTO counter DEFAULT VALUES
            REINDEX t_v
            ANALYZE
            DROP INDEX t_v
            DROP TABLE children
            """
        )
        #expect(try await db.prepare("SELECT * FROM t").first()?.columns == ["id", "v"])
        #expect(try await db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'counter'").first("seq") == 1)
    }

    @Test("a user's SQL equal to one of Drover's own never runs with Drover's allowance")
    func trustedStatementsStayDrovers() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        // Writes make the writer read the size with its own PRAGMA page_count / page_size.
        let insert = try await db.prepare("INSERT INTO t (v) VALUES ('b')").run()
        #expect(insert.meta.sizeAfter > 0)
        for sql in ["PRAGMA page_count", "PRAGMA page_size"] {
            #expect(await TestDatabase.errorMessage { _ = try await db.batch([db.prepare(sql)]) } == Self.refused)
            #expect(await TestDatabase.errorMessage { _ = try await db.prepare(sql).all() } == Self.refused)
            #expect(
                await TestDatabase.errorMessage { _ = try await db.exec(sql) }
                    == "D1_EXEC_ERROR: Error in line 1: \(sql): not authorized: SQLITE_AUTH"
            )
        }
    }

    @Test("the size pragmas, re-prepared by SQLite after a schema change, still run as Drover's")
    func sizeAfterSchemaChange() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        let before = try await db.prepare("INSERT INTO t (v) VALUES ('b')").run().meta.sizeAfter
        #expect(before > 0)
        // The schema changes: SQLite prepares the kept size pragmas again inside their next step.
        _ = try await db.prepare("CREATE TABLE more (v)").run()
        let after = try await db.prepare("INSERT INTO more (v) VALUES (?)").bind(.blob(Array(repeating: 7, count: 50_000))).run()
        #expect(after.meta.sizeAfter > before)
    }

    @Test("the dump, export, d1 info and migrations, Drover's own SQL, still work")
    func droversOwnSQL() async throws {
        let directory = try TemporaryDirectory()
        let db = try await Self.make(in: directory)
        defer { db.close() }
        let dump = try await db.sqlDump()
        #expect(dump.contains("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);\nINSERT INTO t VALUES(1,'a');"))
        let export = try await db.sqlDump(inTransaction: false)
        #expect(export.hasPrefix("PRAGMA defer_foreign_keys=TRUE;\n"))
        let copy = try TestDatabase.make(in: directory, name: "copy")
        defer { copy.close() }
        _ = try await copy.executeScript(export)
        #expect(try await copy.prepare("SELECT v FROM t").raw() == [["a"]])
        #expect(try await db.dump().count >= 4096)
        let info = try await db.info()
        #expect(info.tableCount == 2)
        #expect(info.sizeBytes > 0)
        let folder = directory.file("migrations")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "CREATE TABLE m (v TEXT DEFAULT (datetime('now')));".write(toFile: folder + "/0001_m.sql", atomically: true, encoding: .utf8)
        #expect(try await D1Migrations.apply(database: db, directory: folder) == ["0001_m.sql"])
        #expect(try await D1Migrations.list(database: db, directory: folder) == [])
    }
}
