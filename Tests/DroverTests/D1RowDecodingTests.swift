import Foundation
import Testing

@testable import Drover

@Suite("D1 rows as Decodable values, D1 values' typed accessors")
struct D1RowDecodingTests {
    enum Role: String, Decodable {
        case admin, member
    }

    struct Level: Decodable, Equatable {
        var value: Int
        init(value: Int) { self.value = value }
        init(from decoder: any Decoder) throws {
            value = try decoder.singleValueContainer().decode(Int.self)
        }
    }

    struct User: Decodable, Equatable {
        var id: Int
        var email: String
        var name: String?
        var nickname: String?
        var admin: Bool
        var score: Double
        var ratio: Float
        var small: Int8
        var avatar: [UInt8]
        var thumbnail: Data?
        var role: Role
        var level: Level
        var tags: [String]
        var settings: [String: Int]
    }

    static let userRow = D1Row(
        columns: ["id", "email", "name", "admin", "score", "ratio", "small", "avatar", "thumbnail", "role", "level", "tags", "settings"],
        values: [
            .integer(1), .text("ada@example.test"), .null, .integer(1), .integer(3), .real(0.5), .real(-4), .blob([1, 2]), .blob([3]),
            .text("admin"), .integer(9), .text(#"["a","b"]"#), .text(#"{"x":1}"#),
        ]
    )

    @Test("a row decodes by column name: numbers, text, NULL, missing, booleans, blobs, enums, JSON text")
    func decodesUser() throws {
        let user = try Self.userRow.decode(as: User.self)
        #expect(
            user
                == User(
                    id: 1, email: "ada@example.test", name: nil, nickname: nil, admin: true, score: 3, ratio: 0.5, small: -4,
                    avatar: [1, 2], thumbnail: Data([3]), role: .admin, level: Level(value: 9), tags: ["a", "b"], settings: ["x": 1]))
    }

    @Test("a single value reads the leftmost column")
    func leftmost() throws {
        let row = D1Row(columns: ["count(*)", "other"], values: [.integer(12), .text("x")])
        #expect(try row.decode(as: Int.self) == 12)
        #expect(try row.decode(as: Int?.self) == 12)
        #expect(try D1Row(columns: ["n"], values: [.null]).decode(as: Int?.self) == nil)
        #expect(try D1Row(columns: ["b"], values: [.blob([7])]).decode(as: [UInt8].self) == [7])
        #expect(try D1Row(columns: ["b"], values: [.blob([7])]).decode(as: Data.self) == Data([7]))
        #expect(try D1Row(columns: ["r"], values: [.text("member")]).decode(as: Role.self) == .member)
    }

    static func failure<T: Decodable>(_ row: D1Row, as type: T.Type) -> DecodingError? {
        do {
            _ = try row.decode(as: T.self)
            return nil
        } catch let error as DecodingError {
            return error
        } catch {
            return nil
        }
    }

    static func description(_ error: DecodingError?) -> String? {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            context.debugDescription
        default: nil
        }
    }

    static func path(_ error: DecodingError?) -> [String]? {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.map(\.stringValue)
        default: nil
        }
    }

    struct Small: Decodable {
        var id: Int
        var name: String
    }

    struct Tiny: Decodable {
        var n: Int8
    }

    struct Tagged: Decodable {
        var tags: [String]
    }

    @Test("errors name the column and the type")
    func errors() {
        let text = Self.failure(D1Row(columns: ["id", "name"], values: [.text("x"), .text("a")]), as: Small.self)
        #expect(Self.description(text) == #"column "id" holds text, not Int"#)
        #expect(Self.path(text) == ["id"])
        guard case .typeMismatch = text else { Issue.record("\(String(describing: text))"); return }

        let real = Self.failure(D1Row(columns: ["id", "name"], values: [.real(1.5), .text("a")]), as: Small.self)
        #expect(Self.description(real) == #"column "id" holds the real 1.5, not Int"#)

        let missing = Self.failure(D1Row(columns: ["id"], values: [.integer(1)]), as: Small.self)
        #expect(Self.description(missing) == #"no column "name" in the row (columns: id)"#)
        guard case .keyNotFound = missing else { Issue.record("\(String(describing: missing))"); return }

        let null = Self.failure(D1Row(columns: ["id", "name"], values: [.integer(1), .null]), as: Small.self)
        #expect(Self.description(null) == #"column "name" is NULL, not String (an optional property takes NULL)"#)
        guard case .valueNotFound = null else { Issue.record("\(String(describing: null))"); return }

        let range = Self.failure(D1Row(columns: ["n"], values: [.integer(300)]), as: Tiny.self)
        #expect(Self.description(range) == #"column "n" holds 300, out of range for Int8"#)

        let blob = Self.failure(D1Row(columns: ["tags"], values: [.integer(3)]), as: Tagged.self)
        #expect(Self.description(blob) == #"column "tags" holds the integer 3, not Array<String> (a text column holding JSON can be decoded into it)"#)

        let badJSON = Self.failure(D1Row(columns: ["tags"], values: [.text(#"["a",2]"#)]), as: Tagged.self)
        #expect(Self.description(badJSON)?.hasPrefix(#"column "tags" as JSON: [1]: "#) == true, "\(String(describing: badJSON))")
        #expect(Self.path(badJSON) == ["tags", "Index 1"])

        let enumValue = Self.failure(D1Row(columns: ["r"], values: [.text("owner")]), as: Role.self)
        guard case .dataCorrupted = enumValue else { Issue.record("\(String(describing: enumValue))"); return }
    }

    @Test("typed accessors of a value")
    func accessors() {
        let row = D1Row(columns: ["id", "ratio", "name", "data", "gone", "whole"], values: [.integer(7), .real(0.5), .text("ada"), .blob([1]), .null, .real(3)])
        #expect(row["id"]?.int64 == 7)
        #expect(row["id"]?.int == 7)
        #expect(row["id"]?.double == 7)
        #expect(row["id"]?.bool == true)
        #expect(row["id"]?.string == nil)
        #expect(row["ratio"]?.double == 0.5)
        #expect(row["ratio"]?.int64 == nil)
        #expect(row["whole"]?.int64 == 3)
        #expect(row["name"]?.string == "ada")
        #expect(row["name"]?.bytes == nil)
        #expect(row["data"]?.bytes == [1])
        #expect(row["gone"]?.isNull == true)
        #expect(row["gone"]?.int64 == nil)
        #expect(D1Value.integer(0).bool == false)
    }

    @Test("bind takes Swift values directly, and the D1Value spellings still")
    func bind() {
        let database = NoDatabase()
        let data = Data([9])
        let name: String? = nil
        let statement = database.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, Int64(2), 2.5, "text", true, false, [UInt8]([1, 2]), data, nil, name)
        #expect(
            statement.values == [.integer(1), .integer(2), .real(2.5), .text("text"), .integer(1), .integer(0), .blob([1, 2]), .blob([9]), .null, .null])
        #expect(database.prepare("?").bind(.text("a"), .integer(1), .real(0.5), .blob([]), .null).values == ["a", 1, 0.5, .blob([]), nil])
        #expect(database.prepare("?").bind(Float(0.1), Int8(-1), UInt32(4), Substring("s"), D1Value.integer(3)).values == [0.1, -1, 4, "s", 3])
        #expect(database.prepare("?").bind().values == [])
        #expect(database.prepare("?").bind([D1Value.integer(1), "a"]).values == [1, "a"])
    }

    /// A database that runs nothing, for checking what `bind` binds.
    struct NoDatabase: D1Database {
        func execute(_ statement: D1PreparedStatement) async throws -> D1Result { throw D1Error("no database") }
        func batch(_ statements: [D1PreparedStatement]) async throws -> [D1Result] { throw D1Error("no database") }
        func exec(_ sql: String) async throws -> D1ExecResult { throw D1Error("no database") }
        func dump() async throws -> [UInt8] { [] }
    }
}
