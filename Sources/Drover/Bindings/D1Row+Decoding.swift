/// Rows as `Decodable` Swift values, a property per column:
///
/// ```swift
/// struct User: Decodable { var id: Int; var email: String; var name: String?; var admin: Bool }
/// let user = try await db.prepare("SELECT * FROM users WHERE id = ?").bind(id).first(as: User.self)
/// let count = try await db.prepare("SELECT count(*) FROM users").first(as: Int.self)
/// ```
///
/// Integers become any integer type (in range) or a floating-point one; reals `Double` or `Float`
/// (or an integer when whole); text `String`; blobs `[UInt8]` or `Data`; NULL or a missing column
/// `nil` for an optional property; 0 and 1 `Bool`; text holding JSON an array, dictionary or nested
/// `Decodable`. A type decoded as one value (`Int`, `String?`) reads the leftmost column. A value
/// that does not fit throws a `DecodingError` naming the column and the type
/// (`column "id" holds text, not Int`, `no column "email" in the row (columns: id, name)`,
/// `column "name" is NULL, not String (an optional property takes NULL)`).
extension D1Row {
    /// The row decoded into `T`, a property per column.
    /// - Throws: `DecodingError` naming the column and the type when a value does not fit.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try D1RowDecoding.decode(T.self, from: self)
    }
}

extension D1PreparedStatement {
    /// The first row decoded into `T`, or `nil` when there is none (`first<T>()`).
    /// - Throws: ``D1Error`` as ``first()`` does; `DecodingError` when the row does not fit `T`.
    public func first<T: Decodable>(as type: T.Type) async throws -> T? {
        guard let row = try await first() else { return nil }
        return try row.decode(as: T.self)
    }

    /// Every row decoded into `T` (`all<T>()`'s `results`).
    /// - Throws: ``D1Error`` as ``all()`` does; `DecodingError` for the first row that does not fit `T`.
    public func all<T: Decodable>(as type: T.Type) async throws -> [T] {
        try await all().results.map { try $0.decode(as: T.self) }
    }
}
