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
