import Drover
import DroverD1
import Foundation
import Testing

@Suite("SQLiteD1Database: Swift values in, Decodable rows out")
struct D1SwiftValuesTests {
    struct User: Decodable, Equatable {
        var id: Int64
        var email: String
        var name: String?
        var admin: Bool
        var balance: Double
        var avatar: Data?
        var tags: [String]
    }

    @Test("bind(...) of Swift values, then first(as:) and all(as:) decode the rows")
    func roundTrip() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.exec(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, admin INTEGER NOT NULL, balance REAL NOT NULL, avatar BLOB, tags TEXT NOT NULL DEFAULT '[]')"
        )
        let insert = db.prepare("INSERT INTO users (email, name, admin, balance, avatar, tags) VALUES (?, ?, ?, ?, ?, ?)")
        let noName: String? = nil
        _ = try await insert.bind("ada@example.test", "Ada", true, 10, Data([1, 2]), #"["math"]"#).run()
        _ = try await insert.bind("bob@example.test", noName, false, 2.5, nil, "[]").run()

        let ada = try await db.prepare("SELECT * FROM users WHERE email = ?").bind("ada@example.test").first(as: User.self)
        #expect(ada == User(id: 1, email: "ada@example.test", name: "Ada", admin: true, balance: 10, avatar: Data([1, 2]), tags: ["math"]))
        let users = try await db.prepare("SELECT * FROM users ORDER BY id").all(as: User.self)
        #expect(users.map(\.email) == ["ada@example.test", "bob@example.test"])
        #expect(users[1].name == nil && users[1].avatar == nil && users[1].admin == false && users[1].balance == 2.5)

        #expect(try await db.prepare("SELECT count(*) FROM users").first(as: Int.self) == 2)
        #expect(try await db.prepare("SELECT name FROM users WHERE id = ?").bind(2).first(as: String?.self) == .some(nil))
        #expect(try await db.prepare("SELECT * FROM users WHERE id = ?").bind(99).first(as: User.self) == nil)
        #expect(try await db.prepare("SELECT * FROM users WHERE id = ?").bind(99).all(as: User.self) == [])

        let row = try #require(try await db.prepare("SELECT id, balance, avatar FROM users WHERE id = 1").first())
        #expect(row["id"]?.int64 == 1)
        #expect(row["balance"]?.double == 10)
        #expect(row["avatar"]?.bytes == [1, 2])
    }

    @Test("a row that does not fit the type throws a DecodingError naming the column")
    func mismatch() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        await #expect {
            _ = try await db.prepare("SELECT 'x' AS id, 'e' AS email, NULL AS name, 1 AS admin, 0 AS balance, NULL AS avatar, '[]' AS tags")
                .first(as: User.self)
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.debugDescription == #"column "id" holds text, not Int64"#
        }
        await #expect {
            _ = try await db.prepare("SELECT 1 AS id").all(as: User.self)
        } throws: { error in
            guard case DecodingError.keyNotFound(_, let context) = error else { return false }
            return context.debugDescription == #"no column "email" in the row (columns: id)"#
        }
    }
}
