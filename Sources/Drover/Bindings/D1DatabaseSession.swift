import Synchronization

extension D1Database {
    /// Starts a session, the API of D1's read replication (`env.DB.withSession(...)`): its queries
    /// see the database at least as new as its bookmark, and ``D1DatabaseSession/getBookmark()``
    /// hands out the newest bookmark the session has seen, to continue it in a later request.
    ///
    /// As workerd's `D1Database.withSession` (`src/cloudflare/internal/d1-api.ts`): the argument is
    /// trimmed, and `nil` or blank means `"first-unconstrained"`. `"first-primary"` and
    /// `"first-unconstrained"` are constraints; any other text is taken as a bookmark, unchecked —
    /// Miniflare, which serves D1 under `wrangler dev`, accepts any bookmark, and Cloudflare
    /// documents no error for a malformed one. Locally there is one database, the primary, so every
    /// constraint and bookmark reads the same data and code written for replicas runs unchanged.
    /// (https://developers.cloudflare.com/d1/worker-api/d1-database/#withsession)
    public func withSession(_ constraintOrBookmark: String? = nil) -> D1DatabaseSession {
        let trimmed = constraintOrBookmark.map(D1DatabaseSession.trimmed) ?? ""
        return D1DatabaseSession(
            database: self,
            constraintOrBookmark: trimmed.isEmpty ? D1DatabaseSession.firstUnconstrained : trimmed
        )
    }
}

/// A D1 session (`D1DatabaseSession`): `prepare` and `batch` as on the database, plus
/// ``getBookmark()``.
///
/// The session keeps the newest bookmark it has seen: after each query it takes the database's
/// ``D1Database/latestBookmark`` when that sorts after the one it holds, as workerd's
/// `D1DatabaseSession._updateBookmark` keeps the later of two bookmarks. Statements it prepares run
/// through the session, so `all()`, `run()`, `first()` and `raw()` advance it too.
public final class D1DatabaseSession: Sendable {
    /// The constraint sending the first query to the primary (`"first-primary"`).
    public static let firstPrimary = "first-primary"
    /// The constraint letting the first query go to any instance (`"first-unconstrained"`), the default.
    public static let firstUnconstrained = "first-unconstrained"

    /// The database the session reads and writes.
    public let database: any D1Database
    /// The constraint the session began with, then the newest bookmark seen.
    private let bookmarkOrConstraint: Mutex<String>

    init(database: any D1Database, constraintOrBookmark: String) {
        self.database = database
        self.bookmarkOrConstraint = Mutex(constraintOrBookmark)
    }

    /// A statement ready to bind and run within the session.
    public func prepare(_ sql: String) -> D1PreparedStatement {
        D1PreparedStatement(database: D1SessionDatabase(session: self), sql: sql, values: [])
    }

    /// Runs `statements` as ``D1Database/batch(_:)`` does, within the session.
    public func batch(_ statements: [D1PreparedStatement]) async throws -> [D1Result] {
        let results = try await database.batch(statements)
        observe(database.latestBookmark)
        return results
    }

    /// The newest bookmark the session has seen: the bookmark it was started from, then the one
    /// after its latest query; `nil` while a session started from a constraint has run no query
    /// (https://developers.cloudflare.com/d1/worker-api/d1-database/#getbookmark).
    public func getBookmark() -> String? {
        bookmarkOrConstraint.withLock { current in
            current == Self.firstPrimary || current == Self.firstUnconstrained ? nil : current
        }
    }

    /// Takes `bookmark` when it sorts after the session's (or the session holds a constraint).
    func observe(_ bookmark: String?) {
        guard let bookmark = bookmark.map(Self.trimmed), !bookmark.isEmpty else { return }
        bookmarkOrConstraint.withLock { current in
            let held = current == Self.firstPrimary || current == Self.firstUnconstrained ? nil : current
            if held.map({ $0 < bookmark }) ?? true { current = bookmark }
        }
    }

    /// `text` without leading and trailing white space and line breaks, as JavaScript's `trim()`
    /// drops them (what a bookmark read from a header or a cookie may carry).
    static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
            let last = text.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(text[first...last])
    }
}

/// The database a session's statements run on: the session's database, with the session's
/// bookmark advanced after each query.
private struct D1SessionDatabase: D1Database {
    let session: D1DatabaseSession

    func execute(_ statement: D1PreparedStatement) async throws -> D1Result {
        let result = try await session.database.execute(statement)
        session.observe(session.database.latestBookmark)
        return result
    }

    func firstRow(_ statement: D1PreparedStatement) async throws -> D1Row? {
        let row = try await session.database.firstRow(statement)
        session.observe(session.database.latestBookmark)
        return row
    }

    func batch(_ statements: [D1PreparedStatement]) async throws -> [D1Result] {
        try await session.batch(statements)
    }

    func exec(_ sql: String) async throws -> D1ExecResult {
        let result = try await session.database.exec(sql)
        session.observe(session.database.latestBookmark)
        return result
    }

    func dump() async throws -> [UInt8] {
        try await session.database.dump()
    }

    var latestBookmark: String? { session.database.latestBookmark }
}
