import Drover
import DroverSQLite
import Foundation
import Testing

@testable import DroverD1

/// The rules as a pure function, one request at a time, and the C-level settings that back them.
@Suite("D1Authorizer")
struct D1AuthorizerTests {
    typealias Request = SQLiteConnection.AuthorizerRequest

    @Test(
        "decisions for users' SQL",
        arguments: [
            (Request(action: .select), true),
            (Request(action: .read, first: "t", second: "v", database: "main"), true),
            (Request(action: .read, first: "_cf_KV", second: "v", database: "main"), false),
            (Request(action: .read, first: "sqlite_temp_master", second: "sql", database: "temp"), true),
            (Request(action: .update, first: "sqlite_temp_master", second: "sql", database: "temp"), true),
            (Request(action: .insert, first: "sqlite_temp_master", database: "temp"), false),
            (Request(action: .read, first: "t", second: "v", database: "other"), false),
            (Request(action: .insert, first: "t", database: "main"), true),
            (Request(action: .createIndex, first: "i", second: "_cf_t", database: "main"), false),
            (Request(action: .createTempTable, first: "x", database: "temp"), false),
            (Request(action: .createTempView, first: "x", database: "temp"), false),
            // ALTER TABLE: the database first, the table second; DROP COLUMN puts the column last.
            (Request(action: .alterTable, first: "main", second: "t", database: "c"), true),
            (Request(action: .alterTable, first: "main", second: "_cf_t"), false),
            (Request(action: .alterTable, first: "aux", second: "t"), false),
            (Request(action: .transaction, first: "BEGIN"), false),
            (Request(action: .savepoint, first: "BEGIN", second: "s"), false),
            (Request(action: .attach, first: ":memory:"), false),
            (Request(action: .detach, first: "other"), false),
            (Request(action: .createVirtualTable, first: "f", second: "fts5", database: "main"), true),
            (Request(action: .createVirtualTable, first: "f", second: "FTS5VOCAB", database: "main"), true),
            (Request(action: .createVirtualTable, first: "f", second: "fts3", database: "main"), false),
            (Request(action: .dropVirtualTable, first: "f", second: "rtree", database: "main"), false),
            (Request(action: .function, second: "fts3_tokenizer"), false),
            (Request(action: .function, second: "sqlite_version"), false),
            (Request(action: .function, second: "json_extract"), true),
            (Request(action: .function, second: "->>"), true),
            (Request(action: .function, second: "UPPER"), true),
            (Request(action: .function, second: "upper", trigger: "some_trigger"), true),
            (Request(action: .pragma, first: "writable_schema", second: "1"), false),
            (Request(action: .pragma, first: "foreign_keys", second: "on", database: "main"), true),
            (Request(action: .pragma, first: "foreign_keys", database: "temp"), false),
            (Request(action: .recursive), true),
            (Request(action: .analyze), true),
            (Request(action: .copy), false),
            (Request(action: SQLiteConnection.AuthorizerAction(rawValue: 99)), false),
        ]
    )
    func userDecisions(request: Request, allowed: Bool) {
        #expect((D1Authorizer.decide(request, scope: .user) == .allow) == allowed)
    }

    @Test("Drover's own SQL may do what it needs on main, but not through a user's trigger or view")
    func trustedDecisions() {
        let trusted = { (request: Request) in D1Authorizer.decide(request, scope: .trusted) == .allow }
        #expect(trusted(Request(action: .pragma, first: "journal_mode", second: "WAL")))
        #expect(trusted(Request(action: .pragma, first: "page_count")))
        #expect(trusted(Request(action: .transaction, first: "BEGIN")))
        #expect(!trusted(Request(action: .read, first: "t", second: "v", database: "other")))
        #expect(!trusted(Request(action: .insert, first: "x", database: "temp")))
        #expect(!trusted(Request(action: .function, second: "sqlite_version", trigger: "users_trigger")))
        #expect(trusted(Request(action: .function, second: "upper", trigger: "users_view")))
    }

    @Test(
        "pragma arguments by signature",
        arguments: [
            ("data_version", nil, true), ("data_version", "1", false), ("foreign_keys", nil, true), ("foreign_keys", "ON", true),
            ("foreign_keys", "'yes'", true), ("foreign_keys", "\"off\"", true), ("foreign_keys", "TRUE", true),
            ("foreign_keys", "2", false), ("foreign_keys", "maybe", false), ("index_list", nil, false), ("index_list", "t", true),
            ("index_list", "_cf_t", false), ("foreign_key_check", nil, true), ("foreign_key_check", "_cf_t", false),
            ("quick_check", nil, true), ("quick_check", "10", true), ("quick_check", "t", true), ("quick_check", "_cf_t", false),
            ("optimize", nil, true), ("optimize", "-1", true), ("optimize", "0x10002", true), ("optimize", "9999999999", false),
            ("optimize", "abc", false), ("table_list", nil, true), ("table_info", nil, false), ("table_info", "t", true),
            ("TABLE_XINFO", "t", true), ("table_xinfo", "_cf_t", false), ("journal_mode", nil, false),
            ("integrity_check", nil, false),
        ] as [(String, String?, Bool)]
    )
    func pragmaSignatures(name: String, argument: String?, allowed: Bool) {
        #expect(D1Authorizer.isAllowedPragma(name, argument: argument) == allowed)
    }

    @Test("Drover's statements and users' are cached apart: one SQL text, two statements")
    func cachesApart() throws {
        let directory = try TemporaryDirectory()
        let connection = try D1Connection(path: directory.file("c.sqlite"), isReader: false)
        defer { connection.close() }
        let sql = "SELECT count(*) FROM sqlite_schema"
        let users = try #require(try connection.cachedStatement(sql))
        let drovers = try #require(try connection.trusted { () throws(D1Error) in try connection.cachedStatement(sql) })
        #expect(users !== drovers)
        #expect(try connection.cachedStatement(sql) === users)
        #expect(connection.scope == .user)
    }

    @Test("the connection refuses at the C level what the authorizer also refuses (defence in depth)")
    func connectionSettings() throws {
        let directory = try TemporaryDirectory()
        let connection = try D1Connection(path: directory.file("c.sqlite"), isReader: false)
        defer { connection.close() }
        // Even as Drover's own SQL, which the authorizer lets through: defensive mode keeps
        // sqlite_schema read-only whatever writable_schema says, the FTS3 tokenizer pointer form is
        // off, extension loading is off.
        try connection.trusted { () throws(D1Error) in
            try connection.executeInternal("CREATE TABLE t (v)")
            try connection.executeInternal("PRAGMA writable_schema = ON")
            #expect(throws: D1Error("D1_ERROR: table sqlite_master may not be modified: SQLITE_ERROR")) {
                try connection.executeInternal("UPDATE sqlite_schema SET sql = 'CREATE TABLE t (w)' WHERE name = 't'")
            }
            #expect(throws: D1Error.self) {
                try connection.executeInternal("SELECT fts3_tokenizer('simple', X'4141414141414141')")
            }
            #expect(throws: D1Error.self) { try connection.executeInternal("SELECT load_extension('/nonexistent/lib')") }
        }
        #expect((try? connection.sqlite.configure(.defensive, on: true)) == true)
        #expect((try? connection.sqlite.configure(.fts3Tokenizer, on: false)) == false)
    }
}
