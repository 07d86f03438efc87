import Drover
import DroverD1
import Foundation
import Testing

@Suite("D1Migrations")
struct MigrationsTests {
    @Test("create numbers files and writes wrangler's header")
    func create() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.file("migrations")
        let date = Date(timeIntervalSince1970: 1_700_000_000.5)
        let first = try D1Migrations.create(directory: folder, message: "create users", now: date)
        #expect((first as NSString).lastPathComponent == "0001_create_users.sql")
        let text = try String(contentsOfFile: first, encoding: .utf8)
        #expect(text == "-- Migration number: 0001 \t 2023-11-14T22:13:20.500Z\n")
        let second = try D1Migrations.create(directory: folder, message: "add index", now: date)
        #expect((second as NSString).lastPathComponent == "0002_add_index.sql")
        #expect(throws: D1MigrationError.self) { try D1Migrations.create(directory: folder, message: "  ", now: date) }
    }

    @Test("list and apply run files in order, each once, recorded in d1_migrations")
    func applyInOrder() async throws {
        let directory = try TemporaryDirectory()
        let folder = directory.file("migrations")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n".write(
            toFile: folder + "/0001_users.sql",
            atomically: true,
            encoding: .utf8
        )
        try "-- Migration number: 0002\nALTER TABLE users ADD COLUMN email TEXT;\nINSERT INTO users (name) VALUES ('a');\n"
            .write(toFile: folder + "/0002_email.sql", atomically: true, encoding: .utf8)
        try "not a migration".write(toFile: folder + "/README.md", atomically: true, encoding: .utf8)
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        #expect(try await D1Migrations.list(database: db, directory: folder) == ["0001_users.sql", "0002_email.sql"])
        #expect(try await D1Migrations.apply(database: db, directory: folder) == ["0001_users.sql", "0002_email.sql"])
        #expect(try await D1Migrations.list(database: db, directory: folder) == [])
        #expect(try await D1Migrations.apply(database: db, directory: folder) == [])
        let names = try await db.prepare("SELECT name FROM d1_migrations ORDER BY id").raw()
        #expect(names == [["0001_users.sql"], ["0002_email.sql"]])
        #expect(try await db.prepare("SELECT email FROM users").first() != nil)
    }

    @Test("a custom migrations table records the migrations; d1_migrations is not created")
    func customTable() async throws {
        let directory = try TemporaryDirectory()
        let folder = directory.file("migrations")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "CREATE TABLE users (id INTEGER PRIMARY KEY);".write(toFile: folder + "/0001_users.sql", atomically: true, encoding: .utf8)
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        #expect(try await D1Migrations.list(database: db, directory: folder, table: "schema history") == ["0001_users.sql"])
        #expect(try await D1Migrations.apply(database: db, directory: folder, table: "schema history") == ["0001_users.sql"])
        #expect(try await D1Migrations.list(database: db, directory: folder, table: "schema history") == [])
        #expect(try await db.prepare(#"SELECT name FROM "schema history""#).raw() == [["0001_users.sql"]])
        let tables = try await db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '%migrations%'").raw()
        #expect(tables.isEmpty)
    }

    @Test("apply stops at the first failing file, rolling that file back")
    func applyStopsAtFailure() async throws {
        let directory = try TemporaryDirectory()
        let folder = directory.file("migrations")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "CREATE TABLE a (v);".write(toFile: folder + "/0001_a.sql", atomically: true, encoding: .utf8)
        try "CREATE TABLE b (v);\nINSERT INTO missing VALUES (1);".write(
            toFile: folder + "/0002_b.sql",
            atomically: true,
            encoding: .utf8
        )
        try "CREATE TABLE c (v);".write(toFile: folder + "/0003_c.sql", atomically: true, encoding: .utf8)
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        do {
            _ = try await D1Migrations.apply(database: db, directory: folder)
            Issue.record("apply should have failed")
        } catch {
            #expect(error.file == "0002_b.sql")
            #expect(error.message == "Migration 0002_b.sql failed: D1_ERROR: no such table: missing: SQLITE_ERROR")
        }
        #expect(try await D1Migrations.list(database: db, directory: folder) == ["0002_b.sql", "0003_c.sql"])
        let tables = try await db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('a','b','c') ORDER BY name").raw()
        #expect(tables == [["a"]])
    }

    @Test("a missing folder has no migrations")
    func missingFolder() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        #expect(try await D1Migrations.list(database: db, directory: directory.file("none")) == [])
    }
}
