import Foundation

/// A statement with its SQL and bound values. Values are bound positionally (`?`, `?NNN`).
public struct D1PreparedStatement: Sendable {
    /// The database it runs on.
    public let database: any D1Database
    /// The SQL text.
    public let sql: String
    /// The values bound so far.
    public let values: [D1Value]

    /// Creates a statement; prefer ``D1Database/prepare(_:)``.
    public init(database: any D1Database, sql: String, values: [D1Value]) {
        self.database = database
        self.sql = sql
        self.values = values
    }

    /// A copy with `values` bound in place of the earlier ones: Swift values directly
    /// (`bind(id, name, nil, true, data)`; see ``D1ValueConvertible``) or ``D1Value``s. Values are
    /// checked when the statement runs (a NaN fails there with `D1_TYPE_ERROR`).
    public func bind(_ values: (any D1ValueConvertible)?...) -> D1PreparedStatement {
        bind(values.map { $0?.d1Value ?? .null })
    }

    /// A copy with `values` bound in place of the earlier ones.
    public func bind(_ values: [D1Value]) -> D1PreparedStatement {
        D1PreparedStatement(database: database, sql: sql, values: values)
    }

    /// Every row, with `success` and `meta`.
    public func all() async throws -> D1Result {
        try await database.execute(self)
    }

    /// Runs the statement for its effect; the result's `results` is empty of interest (discardable,
    /// as `await stmt.run()` is written in Workers).
    @discardableResult
    public func run() async throws -> D1Result {
        try await database.execute(self)
    }

    /// The first row, or `nil` when there is none.
    public func first() async throws -> D1Row? {
        try await database.firstRow(self)
    }

    /// The first row's `column`, or `nil` when there is no row.
    /// - Throws: ``D1Error`` `D1_COLUMN_NOTFOUND: Column not found (<column>)` when a row exists but
    ///   has no such column.
    public func first(_ column: String) async throws -> D1Value? {
        guard let row = try await database.firstRow(self) else { return nil }
        guard let value = row[column] else { throw D1Error("D1_COLUMN_NOTFOUND: Column not found (\(column))") }
        return value
    }

    /// The rows as arrays of values; with `columnNames`, the column names come first as a row of
    /// text (duplicates kept).
    public func raw(columnNames: Bool = false) async throws -> [[D1Value]] {
        let result = try await database.execute(self)
        var rows = result.results.map { $0.values }
        if columnNames { rows.insert(result.columns.map { D1Value.text($0) }, at: 0) }
        return rows
    }
}
