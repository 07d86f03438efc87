/// A value of the SQL API: SQLite's five types, as D1 has them.
public typealias SqlStorageValue = D1Value

/// A Durable Object's SQLite database (`ctx.storage.sql`).
///
/// ```swift
/// let sql = try ctx.storage.sql
/// _ = try sql.exec("CREATE TABLE IF NOT EXISTS visits (at INTEGER, path TEXT)")
/// _ = try sql.exec("INSERT INTO visits VALUES (?, ?)", .integer(now), .text(path))
/// let total = try sql.exec("SELECT count(*) AS n FROM visits").one()["n"]
/// ```
///
/// The rules are the platform's: `BEGIN`, `COMMIT` and `SAVEPOINT` are refused (use
/// ``DurableObjectStorage/transactionSync(_:)``), names beginning with `_cf_` are the platform's
/// own, and SQLite's functions and pragmas are D1's allowed set.
public protocol SqlStorage: Sendable {
    /// Runs `query` — one statement, or several separated by `;` — with `bindings` for its `?`
    /// parameters, and returns a cursor over the last statement's rows.
    /// - Throws: ``DurableObjectError`` with SQLite's message (`no such table: t: SQLITE_ERROR`), or
    ///   the platform's for a class created with `new_classes` (key-value storage only) rather than
    ///   `new_sqlite_classes`.
    func exec(_ query: String, _ bindings: [SqlStorageValue]) throws -> SqlStorageCursor

    /// The database's size in bytes.
    /// - Throws: ``DurableObjectError`` for a class without the SQL API, as ``exec(_:_:)-([SqlStorageValue])`` does.
    var databaseSize: Int64 { get throws }
}

extension SqlStorage {
    /// Runs `query` with `bindings` (see ``exec(_:_:)-([SqlStorageValue])``).
    public func exec(_ query: String, _ bindings: SqlStorageValue...) throws -> SqlStorageCursor {
        try exec(query, bindings)
    }
}

/// The rows of ``SqlStorage/exec(_:_:)-([SqlStorageValue])`` (the platform's `SqlStorageCursor`).
///
/// Drover runs the statement to its end in `exec`, so the rows are all here, ``rowsRead`` and
/// ``rowsWritten`` are final, and an error in a late row is thrown by `exec` rather than while
/// iterating.
public struct SqlStorageCursor: Sendable, Sequence {
    /// The result's column names, in order.
    public let columnNames: [String]
    /// The rows, as objects of column name to value.
    public let rows: [D1Row]
    /// Rows the query read.
    public let rowsRead: Int
    /// Rows the query wrote.
    public let rowsWritten: Int

    /// A cursor over `rows`.
    package init(columnNames: [String], rows: [D1Row], rowsRead: Int, rowsWritten: Int) {
        self.columnNames = columnNames
        self.rows = rows
        self.rowsRead = rowsRead
        self.rowsWritten = rowsWritten
    }

    /// Every row (the platform's `toArray()`).
    public func toArray() -> [D1Row] { rows }

    /// Every row as an array of values in column order (the platform's `raw()`).
    public func raw() -> [[SqlStorageValue]] { rows.map(\.values) }

    /// The only row.
    /// - Throws: ``DurableObjectError`` with the platform's message when there are none or several.
    public func one() throws -> D1Row {
        guard let first = rows.first else { throw DurableObjectError(DurableObjectError.noRows) }
        guard rows.count == 1 else { throw DurableObjectError(DurableObjectError.severalRows) }
        return first
    }

    public func makeIterator() -> IndexingIterator<[D1Row]> { rows.makeIterator() }
}
