import Drover
import DroverDurableObjects
import Foundation
import Testing

/// The storage of one object, reached through the `PROBE` namespace (SQLite-backed).
private func withStorage<T: Sendable>(
    _ harness: DurableObjectsHarness,
    _ name: String = "storage",
    namespace: String = "PROBE",
    _ body: @escaping @Sendable (any DurableObjectStorage) throws -> T
) async throws -> T {
    try await harness.namespace(namespace).getByName(name).call(Probe.self) { probe in try body(probe.storage) }
}

@Suite("Durable Object storage: the key-value API")
struct DurableObjectKeyValueTests {
    @Test("get, put and delete of one key and of many")
    func singleAndMany() async throws {
        let harness = try DurableObjectsHarness.make()
        try await withStorage(harness) { storage in
            #expect(try storage.get("a") == JSONValue?.none)
            try storage.put("a", ["n": 1])
            #expect(try storage.get("a") == ["n": 1])
            try storage.put(["c": 3, "b": "two", "d": .null])
            #expect(try storage.get(["d", "x", "b", "a"]) == JSONObject([("a", ["n": 1]), ("b", "two"), ("d", .null)]))
            #expect(try storage.delete("a"))
            #expect(try !storage.delete("a"))
            #expect(try storage.delete(["b", "c", "zz"]) == 2)
            #expect(try storage.list().keys == ["d"])
        }
        await harness.host.shutdown()
    }

    @Test("list: UTF-8 key order, start, startAfter, end, prefix, reverse, limit, and the platform's refusals")
    func listOptions() async throws {
        let harness = try DurableObjectsHarness.make()
        try await withStorage(harness) { storage in
            for key in ["b", "a", "ab", "abc", "ac", "é", "z", "B"] { try storage.put(key, .string(key)) }
            // Byte order: "B" (0x42) < "a" < ... < "z" < "é" (0xC3 0xA9).
            #expect(try storage.list().keys == ["B", "a", "ab", "abc", "ac", "b", "z", "é"])
            #expect(try storage.list(.init(start: "ab")).keys == ["ab", "abc", "ac", "b", "z", "é"])
            #expect(try storage.list(.init(startAfter: "ab")).keys == ["abc", "ac", "b", "z", "é"])
            #expect(try storage.list(.init(end: "ac")).keys == ["B", "a", "ab", "abc"])
            #expect(try storage.list(.init(prefix: "ab")).keys == ["ab", "abc"])
            #expect(try storage.list(.init(prefix: "a", reverse: true, limit: 2)).keys == ["ac", "abc"])
            #expect(try storage.list(.init(start: "a", end: "b", reverse: true)).keys == ["ac", "abc", "ab", "a"])
            #expect(throws: DurableObjectError("list() cannot be called with both start and startAfter values.")) {
                try storage.list(.init(start: "a", startAfter: "a"))
            }
            #expect(throws: DurableObjectError("List limit must be positive.")) { try storage.list(.init(limit: 0)) }
        }
        await harness.host.shutdown()
    }

    @Test("a key-value class has the platform's key, value and batch limits; a SQLite class only SQLite's")
    func limits() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace("LEGACY").getByName("limits")
        try await stub.call(TestCounter.self) { counter in
            let storage = counter.ctx.storage
            let longKey = String(repeating: "k", count: 2049)
            #expect(throws: DurableObjectError("Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.")) {
                try storage.put(longKey, 1)
            }
            // The limit allows 34 bytes of serialisation overhead, as workerd's does.
            try storage.put("fits", .string(String(repeating: "v", count: 131_104)))
            let big = JSONValue.string(String(repeating: "v", count: 131_105))
            #expect(throws: DurableObjectError("Values cannot be larger than 131072 bytes. A value of size 131107 was provided.")) {
                try storage.put("big", big)
            }
            #expect(throws: DurableObjectError("Maximum number of key value pairs is 128. 129 pairs were provided.")) {
                try storage.get((0..<129).map { "k\($0)" })
            }
        }
        try await withStorage(harness) { storage in
            try storage.put(String(repeating: "k", count: 4096), .string(String(repeating: "v", count: 200_000)))
            #expect(try storage.get((0..<200).map { "k\($0)" }).keys.isEmpty)
        }
        await harness.host.shutdown()
    }

    @Test("transaction: kept when the body returns, undone when it throws or rolls back")
    func transactions() async throws {
        let harness = try DurableObjectsHarness.make()
        try await withStorage(harness) { storage in
            try storage.transaction { txn in try txn.put("kept", 1) }
            #expect(throws: Probe.ProbeFailure.self) {
                try storage.transaction { txn in
                    try txn.put("thrown", 1)
                    throw Probe.ProbeFailure()
                }
            }
            let answer = try storage.transaction { txn -> Int in
                try txn.put("rolled", 1)
                txn.rollback()
                #expect(throws: DurableObjectError("Cannot put() on rolled back transaction")) { try txn.put("after", 1) }
                return 42
            }
            #expect(answer == 42)
            #expect(try storage.list().keys == ["kept"])
        }
        await harness.host.shutdown()
    }

    @Test("deleteAll deletes keys and tables, not in a transaction; the alarm only from 2026-02-24")
    func deleteAll() async throws {
        for (date, keepsAlarm) in [("2026-01-01", true), ("2026-02-24", false)] {
            let harness = try DurableObjectsHarness.make(config: DurableObjectsHarness.config(compatibilityDate: date))
            try await withStorage(harness) { storage in
                try storage.put("a", 1)
                _ = try storage.sql.exec(
                    """
                    CREATE TABLE t (x PRIMARY KEY); CREATE TABLE u (y REFERENCES t(x)); INSERT INTO t VALUES (1); INSERT INTO u VALUES (1);
                    CREATE VIEW v AS SELECT x FROM t; CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('hello')
                    """)
                try storage.setAlarm(DurableObjectsHarness.start.addingTimeInterval(60))
                #expect(throws: DurableObjectError("Cannot call deleteAll() within a transaction")) {
                    try storage.transactionSync { try storage.deleteAll() }
                }
                try storage.deleteAll()
                #expect(try storage.list().isEmpty)
                #expect(try storage.sql.exec("SELECT name FROM sqlite_master WHERE name NOT LIKE '_cf_%'").rows.isEmpty)
                #expect((try storage.getAlarm() != nil) == keepsAlarm)
            }
            await harness.host.shutdown()
        }
    }
}

@Suite("Durable Object storage: the SQL API")
struct DurableObjectSQLTests {
    @Test("exec runs every statement; the cursor is the last one's, with rows, raw, columnNames and counts")
    func execAndCursor() async throws {
        let harness = try DurableObjectsHarness.make()
        try await withStorage(harness) { storage in
            let sql = storage.sql
            let created = try sql.exec("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people (name) VALUES ('ann'), ('bo')")
            #expect(created.rowsWritten == 2)
            let cursor = try sql.exec("SELECT id, name FROM people WHERE id >= ? ORDER BY id", .integer(1))
            #expect(cursor.columnNames == ["id", "name"])
            #expect(cursor.raw() == [[.integer(1), .text("ann")], [.integer(2), .text("bo")]])
            #expect(cursor.toArray().map { $0["name"] } == [.text("ann"), .text("bo")])
            #expect(cursor.rowsRead == 2)
            #expect(cursor.rowsWritten == 0)
            #expect(try sql.exec("SELECT name FROM people WHERE id = 2").one()["name"] == .text("bo"))
            #expect(throws: DurableObjectError("Expected exactly one result from SQL query, but got no results.")) {
                try sql.exec("SELECT * FROM people WHERE id = 9").one()
            }
            #expect(throws: DurableObjectError("Expected exactly one result from SQL query, but got multiple results.")) {
                try sql.exec("SELECT * FROM people").one()
            }
            #expect(try sql.databaseSize > 0)
        }
        await harness.host.shutdown()
    }

    @Test("the platform's refusals: parameters, transaction statements, _cf_ names, errors worded by SQLite")
    func refusals() async throws {
        let harness = try DurableObjectsHarness.make()
        try await withStorage(harness) { storage in
            let sql = storage.sql
            #expect(throws: DurableObjectError("When executing multiple SQL statements in a single call, only the last statement can have parameters.")) {
                try sql.exec("SELECT ?; SELECT 1", .integer(1))
            }
            #expect(throws: DurableObjectError("Wrong number of parameter bindings for SQL query.")) { try sql.exec("SELECT ?, ?", .integer(1)) }
            #expect(throws: DurableObjectError("SQL code did not contain a statement.")) { try sql.exec("  -- nothing") }
            let transactionMessage =
                "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing."
            for statement in ["BEGIN", "BEGIN TRANSACTION", "SAVEPOINT s", "COMMIT", "ROLLBACK", "RELEASE s"] {
                #expect(throws: DurableObjectError(transactionMessage)) { try sql.exec(statement) }
            }
            #expect(throws: DurableObjectError("access to _cf_KV.key is prohibited: SQLITE_AUTH")) { try sql.exec("SELECT key FROM _cf_KV") }
            #expect(throws: DurableObjectError("not authorized: SQLITE_AUTH")) { try sql.exec("CREATE TABLE _cf_mine (x)") }
            #expect(throws: DurableObjectError("no such table: nope: SQLITE_ERROR")) { try sql.exec("SELECT * FROM nope") }
            #expect(throws: DurableObjectError("not authorized: SQLITE_AUTH")) { try sql.exec("ATTACH 'other.db' AS other") }
        }
        await harness.host.shutdown()
    }

    @Test("transactionSync keeps what it wrote, rolls back on a throw, and nests")
    func transactionSync() async throws {
        let harness = try DurableObjectsHarness.make()
        try await withStorage(harness) { storage in
            let sql = storage.sql
            _ = try sql.exec("CREATE TABLE t (x)")
            try storage.transactionSync { _ = try sql.exec("INSERT INTO t VALUES (1)") }
            #expect(throws: Probe.ProbeFailure.self) {
                try storage.transactionSync {
                    _ = try sql.exec("INSERT INTO t VALUES (2)")
                    try storage.put("k", 1)
                    throw Probe.ProbeFailure()
                }
            }
            try storage.transactionSync {
                _ = try sql.exec("INSERT INTO t VALUES (3)")
                try? storage.transactionSync {
                    _ = try sql.exec("INSERT INTO t VALUES (4)")
                    throw Probe.ProbeFailure()
                }
            }
            #expect(try sql.exec("SELECT x FROM t ORDER BY x").raw() == [[.integer(1)], [.integer(3)]])
            #expect(try storage.get("k") == JSONValue?.none)
        }
        await harness.host.shutdown()
    }

    @Test("a key-value class's SQL calls throw local workerd's message")
    func keyValueClassHasNoSQL() async throws {
        let harness = try DurableObjectsHarness.make()
        try await harness.namespace("LEGACY").getByName("no-sql").call(TestCounter.self) { counter in
            let error = #expect(throws: DurableObjectError.self) { try counter.ctx.storage.sql.exec("SELECT 1") }
            #expect(error?.message.hasPrefix("SQL is not enabled for this Durable Object class. To enable it, change `new_classes` to `new_sqlite_classes`") == true)
            #expect(throws: DurableObjectError.self) { try counter.ctx.storage.sql.databaseSize }
        }
        await harness.host.shutdown()
    }
}
