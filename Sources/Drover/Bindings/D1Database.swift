import Foundation

/// A D1 database: SQLite behind D1's API, result shapes and error prefixes.
///
/// `prepare` returns a ``D1PreparedStatement`` value; binding values returns a new statement, and
/// running it (`first`, `all`, `run`, `raw`) goes back to the database through ``execute(_:)``.
public protocol D1Database: Sendable {
    /// Runs one prepared statement with its bound values and returns every row with `meta`.
    ///
    /// `sql` may hold several statements; they run in order, only the last may have parameters, and
    /// the last one's rows are returned. The number of values must match the parameters exactly
    /// (the highest `?NNN` counts).
    /// - Throws: ``D1Error`` (`D1_ERROR: <sqlite message>: SQLITE_<CODE>`,
    ///   `D1_ERROR: Wrong number of parameter bindings for SQL query.`,
    ///   `No SQL statements detected.` (no prefix, as D1 words it), `D1_TYPE_ERROR: ...` for a NaN or infinite double).
    func execute(_ statement: D1PreparedStatement) async throws -> D1Result

    /// The first row `statement` returns, or `nil` when it returns none: what `first()` answers.
    ///
    /// The statement runs as with ``execute(_:)``; a database may skip building what `first()`
    /// does not return (the other rows, `meta`). The default is `execute(statement).results.first`.
    func firstRow(_ statement: D1PreparedStatement) async throws -> D1Row?

    /// Runs `statements` in order as one transaction: all succeed or none is applied.
    func batch(_ statements: [D1PreparedStatement]) async throws -> [D1Result]

    /// Runs SQL without parameters as D1's `exec` does: each line is one query (so a statement must
    /// fit on a line); no transaction.
    /// - Throws: ``D1Error`` `D1_EXEC_ERROR: Error in line <n>: <line>: <message>`.
    func exec(_ sql: String) async throws -> D1ExecResult

    /// The whole database file's bytes (D1's deprecated `dump()`).
    func dump() async throws -> [UInt8]

    /// The bookmark of the newest state of the database this binding knows, which a
    /// ``D1DatabaseSession`` reports after each query (``D1DatabaseSession/getBookmark()``).
    ///
    /// Bookmarks sort as the states they name, oldest first, by plain string comparison
    /// (Cloudflare docs, "D1 › Reference › Glossary": "Bookmarks are lexicographically sortable").
    /// `nil` when the database hands out none (the default): a session then keeps the bookmark it
    /// was given.
    var latestBookmark: String? { get }
}

extension D1Database {
    public func firstRow(_ statement: D1PreparedStatement) async throws -> D1Row? {
        try await execute(statement).results.first
    }

    /// No bookmarks: sessions on this database keep the one they were given.
    public var latestBookmark: String? { nil }

    /// A statement ready to bind and run.
    public func prepare(_ sql: String) -> D1PreparedStatement {
        D1PreparedStatement(database: self, sql: sql, values: [])
    }
}

/// A SQLite value as D1 binds and returns it.
public enum D1Value: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension D1Value: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    /// Booleans bind as 0 and 1, as D1 does.
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}

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

/// One result row: columns in order, names possibly repeated (a join's `id` and `id`).
public struct D1Row: Sendable, Hashable {
    /// Column names, in order.
    public var columns: [String]
    /// Values, one per column.
    public var values: [D1Value]

    /// Creates a row; `values` has one value per column.
    public init(columns: [String], values: [D1Value]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the last column named `name` (a JavaScript object keeps the last duplicate).
    public subscript(name: String) -> D1Value? {
        guard let index = columns.lastIndex(of: name) else { return nil }
        return values[index]
    }
}

/// What `all`, `run` and each `batch` member return.
public struct D1Result: Sendable, Hashable {
    /// Column names of the statement, in order (also when there are no rows).
    public var columns: [String]
    /// The rows.
    public var results: [D1Row]
    /// Always `true`: a failure throws instead.
    public var success: Bool
    /// Counters and timing.
    public var meta: D1Meta

    /// Creates a result.
    public init(columns: [String], results: [D1Row], success: Bool = true, meta: D1Meta) {
        self.columns = columns
        self.results = results
        self.success = success
        self.meta = meta
    }
}

/// D1's `meta` object (Cloudflare docs, "D1 › Worker Binding API › Return objects", `D1Result`;
/// workerd `src/cloudflare/internal/d1-api.ts`, type `D1Meta`).
///
/// Locally every query is served by the one database, the primary: `served_by` is what Miniflare
/// reports (`"miniflare.db"`, workers-sdk `packages/miniflare/src/workers/d1/database.worker.ts`),
/// `served_by_region` is ``localRegion`` and `served_by_primary` is `true`; `timings.sql_duration_ms`
/// is the measured SQL time, as `duration` (there is no network time to leave out).
public struct D1Meta: Sendable, Hashable {
    /// What Miniflare reports as `served_by`.
    public static let localServedBy = "miniflare.db"
    /// The `served_by_region` of a local database: not one of Cloudflare's regions (`WNAM`,
    /// `WEUR`, ...), as it runs on no region.
    public static let localRegion = "local"

    /// The backend that answered (`served_by`).
    public var servedBy: String
    /// The region of the database instance that ran the query (`served_by_region`).
    public var servedByRegion: String
    /// Whether the instance that ran the query was the primary (`served_by_primary`).
    public var servedByPrimary: Bool
    /// Milliseconds the SQL took in the database instance, without network time
    /// (`timings.sql_duration_ms`).
    public var sqlDuration: Double
    /// Milliseconds the statement took.
    public var duration: Double
    /// Rows changed by an INSERT, UPDATE or DELETE.
    public var changes: Int64
    /// The rowid of the last inserted row.
    public var lastRowId: Int64
    /// Whether the database was written.
    public var changedDB: Bool
    /// Rows the statement read: every row of a full table scan, else the rows returned or changed
    /// (an approximation of D1's count, from SQLite's statement counters).
    public var rowsRead: Int64
    /// Rows changed by the statement (1 for a schema change).
    public var rowsWritten: Int64
    /// The database's size in bytes afterwards.
    public var sizeAfter: Int64

    /// Creates a `meta`; every counter defaults to zero, the `served_by` fields to a local
    /// database's, and `sqlDuration` to `duration`.
    public init(
        duration: Double = 0,
        changes: Int64 = 0,
        lastRowId: Int64 = 0,
        changedDB: Bool = false,
        rowsRead: Int64 = 0,
        rowsWritten: Int64 = 0,
        sizeAfter: Int64 = 0,
        sqlDuration: Double? = nil,
        servedBy: String = D1Meta.localServedBy,
        servedByRegion: String = D1Meta.localRegion,
        servedByPrimary: Bool = true
    ) {
        self.servedBy = servedBy
        self.servedByRegion = servedByRegion
        self.servedByPrimary = servedByPrimary
        self.sqlDuration = sqlDuration ?? duration
        self.duration = duration
        self.changes = changes
        self.lastRowId = lastRowId
        self.changedDB = changedDB
        self.rowsRead = rowsRead
        self.rowsWritten = rowsWritten
        self.sizeAfter = sizeAfter
    }
}

/// What `exec` returns.
public struct D1ExecResult: Sendable, Hashable {
    /// How many statements ran.
    public var count: Int
    /// Milliseconds they took.
    public var duration: Double

    /// Creates an `exec` result.
    public init(count: Int, duration: Double) {
        self.count = count
        self.duration = duration
    }
}

/// A D1 error with the platform's prefix (`D1_ERROR: ...`, `D1_EXEC_ERROR: ...`).
public struct D1Error: BindingError, Equatable {
    /// The platform's message, prefix included.
    public var message: String

    /// An error with `message`, verbatim.
    public init(_ message: String) {
        self.message = message
    }
}
