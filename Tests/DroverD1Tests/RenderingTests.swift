import Drover
import Foundation
import Testing

@testable import DroverD1

@Suite("D1 JSON shapes, parameter conversion, table rendering, SQL dump")
struct RenderingTests {
    static func makeResult() -> D1Result {
        let columns = ["id", "name", "data", "score", "id"]
        return D1Result(
            columns: columns,
            results: [D1Row(columns: columns, values: [1, "ada", .blob([1, 2, 255]), 1.5, 9])],
            meta: D1Meta(
                duration: 0.25,
                changes: 0,
                lastRowId: 3,
                changedDB: false,
                rowsRead: 1,
                rowsWritten: 0,
                sizeAfter: 8192
            )
        )
    }

    @Test("a result becomes D1's exact JSON object, meta members in the order of D1's return-object page")
    func resultJSON() {
        let json = JSONSerializer.string(Self.makeResult().jsonValue)
        #expect(
            json
                == #"{"results":[{"id":9,"name":"ada","data":[1,2,255],"score":1.5}],"success":true,"#
                + #""meta":{"served_by":"miniflare.db","served_by_region":"local","served_by_primary":true,"#
                + #""timings":{"sql_duration_ms":0.25},"duration":0.25,"changes":0,"last_row_id":3,"changed_db":false,"size_after":8192,"#
                + #""rows_read":1,"rows_written":0}}"#
        )
        #expect(JSONSerializer.string(D1Result.jsonArray([])) == "[]")
    }

    @Test(
        "JSON parameters convert to values",
        arguments: [
            (JSONValue.string("x"), D1Value.text("x")), (.integer(5), .integer(5)), (.double(2.0), .integer(2)),
            (.double(2.5), .real(2.5)), (.bool(true), .integer(1)), (.bool(false), .integer(0)), (.null, .null),
            (.array([0, 127, 255]), .blob([0, 127, 255])),
        ]
    )
    func parameterConversion(json: JSONValue, value: D1Value) throws {
        #expect(try D1ValueBinding.value(fromJSON: json) == value)
    }

    @Test("objects and other arrays are D1_TYPE_ERRORs")
    func parameterErrors() {
        #expect(throws: D1Error("D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'")) {
            try D1ValueBinding.values(fromJSON: ["a", ["k": "v"]])
        }
        #expect(throws: D1Error("D1_TYPE_ERROR: Type 'object' not supported for value '1,300,x'")) {
            try D1ValueBinding.values(fromJSON: [[1, 300, "x"]])
        }
    }

    @Test("results render as wrangler's table")
    func table() {
        let columns = ["id", "name"]
        let result = D1Result(
            columns: columns,
            results: [
                D1Row(columns: columns, values: [1, "ada"]), D1Row(columns: columns, values: [10, .null]),
            ],
            meta: D1Meta()
        )
        let expected = """
            ┌────┬──────┐
            │ id │ name │
            ├────┼──────┤
            │ 1  │ ada  │
            │ 10 │ null │
            └────┴──────┘

            """
        #expect(D1ResultTable.render([result, D1Result(columns: [], results: [], meta: D1Meta())]) == expected)
    }

    @Test("the SQL dump recreates the database")
    func sqlDumpRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory, name: "source")
        defer { db.close() }
        _ = try await db.executeScript(
            """
            CREATE TABLE "odd name" (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT, b BLOB, r REAL);
            CREATE INDEX idx_v ON "odd name"(v);
            INSERT INTO "odd name" (v, b, r) VALUES ('it''s', x'00ff', 1.5), (NULL, NULL, -2.0);
            CREATE VIEW names AS SELECT v FROM "odd name";
            """
        )
        let dump = try await db.sqlDump()
        #expect(dump.hasPrefix("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"))
        #expect(dump.contains("INSERT INTO \"odd name\" VALUES(1,'it''s',X'00FF',1.5);"))
        #expect(dump.contains("DELETE FROM sqlite_sequence;"))
        #expect(dump.hasSuffix("COMMIT;\n"))
        let copy = try TestDatabase.make(in: directory, name: "copy")
        defer { copy.close() }
        // The dump's own BEGIN/COMMIT are for the sqlite3 shell; the script runs in one transaction anyway.
        let body = dump.replacingOccurrences(of: "BEGIN TRANSACTION;\n", with: "")
            .replacingOccurrences(of: "COMMIT;\n", with: "").replacingOccurrences(of: "PRAGMA foreign_keys=OFF;\n", with: "")
        _ = try await copy.executeScript(body)
        let original = try await db.prepare("SELECT * FROM \"odd name\" ORDER BY id").raw()
        #expect(try await copy.prepare("SELECT * FROM \"odd name\" ORDER BY id").raw() == original)
        #expect(try await copy.prepare("SELECT count(*) AS n FROM names").first("n") == 2)
        #expect(try await copy.sqlDump() == dump)
    }

    @Test("executeScript returns one result per statement and applies all or nothing")
    func executeScript() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let results = try await db.executeScript("CREATE TABLE t (v);\nINSERT INTO t VALUES ('a;b');\nSELECT v FROM t;")
        #expect(results.count == 3)
        #expect(results[2].results.first?["v"] == "a;b")
        let failure = await TestDatabase.errorMessage {
            _ = try await db.executeScript("INSERT INTO t VALUES ('c'); INSERT INTO nope VALUES (1);")
        }
        #expect(failure == "D1_ERROR: no such table: nope: SQLITE_ERROR")
        #expect(try await db.prepare("SELECT count(*) AS n FROM t").first("n") == 1)
        #expect(await TestDatabase.errorMessage { _ = try await db.executeScript(" -- \n") } == "No SQL statements detected.")
        let info = try await db.info()
        #expect(info.path == db.path)
        #expect(info.tableCount == 1)
        #expect(info.sizeBytes > 0)
    }
}
