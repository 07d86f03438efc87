import Drover
import Foundation
import Testing

@testable import DroverD1

/// `withSession()` and `getBookmark()` (D1's read replication API) and the `served_by` fields of
/// `meta`, on a local database: one database, the primary, whose bookmarks advance with each write.
@Suite("D1 sessions, bookmarks and meta's served_by fields")
struct SessionTests {
    /// workerd's local bookmark: `%08x-%08x-%08x-` and 32 zeros.
    static func isBookmark(_ text: String?) -> Bool {
        guard let text else { return false }
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        let hex = Set("0123456789abcdef")
        return groups.count == 4 && groups.prefix(3).allSatisfy { $0.count == 8 && $0.allSatisfy(hex.contains) }
            && groups[2] == "00000000" && groups[3] == Substring(String(repeating: "0", count: 32))
    }

    @Test("meta says a local primary served the query, with sql_duration_ms the measured duration")
    func metaServedBy() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let write = try await db.prepare("CREATE TABLE t (v)").run()
        let read = try await db.prepare("SELECT * FROM t").all()
        let batch = try await db.batch([db.prepare("INSERT INTO t VALUES (1)"), db.prepare("SELECT v FROM t")])
        for meta in [write.meta, read.meta] + batch.map(\.meta) {
            #expect(meta.servedBy == "miniflare.db")
            #expect(meta.servedByRegion == "local")
            #expect(meta.servedByPrimary)
            #expect(meta.sqlDuration == meta.duration)
        }
        let json = read.meta.jsonValue
        #expect(json["served_by"] == .string("miniflare.db"))
        #expect(json["served_by_primary"] == .bool(true))
        #expect(json["timings"]?["sql_duration_ms"] == .double(read.meta.duration))
    }

    @Test("a session from a constraint has no bookmark until its first query, then the database's")
    func bookmarkAfterFirstQuery() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        for constraint in [nil, "", "  ", "first-unconstrained", "first-primary", " first-primary\n"] {
            let session = db.withSession(constraint)
            #expect(session.getBookmark() == nil)
            #expect(try await session.prepare("SELECT 1 AS one").first("one") == .integer(1))
            #expect(Self.isBookmark(session.getBookmark()))
            #expect(session.getBookmark() == db.latestBookmark)
        }
    }

    @Test("bookmarks advance with each write, in order, and a read leaves them as they are")
    func bookmarksAdvanceWithWrites() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let session = db.withSession()
        _ = try await session.prepare("CREATE TABLE t (v)").run()
        let afterCreate = try #require(session.getBookmark())
        _ = try await session.prepare("INSERT INTO t VALUES (?)").bind(1).run()
        let afterInsert = try #require(session.getBookmark())
        #expect(afterCreate < afterInsert)
        _ = try await session.prepare("SELECT * FROM t").all()
        _ = try await session.prepare("SELECT * FROM t").raw()
        #expect(session.getBookmark() == afterInsert)
        _ = try await session.batch([session.prepare("INSERT INTO t VALUES (2)"), session.prepare("INSERT INTO t VALUES (3)")])
        let afterBatch = try #require(session.getBookmark())
        #expect(afterInsert < afterBatch)
        // A write that changes nothing, and a failed one, do not advance it.
        _ = try await session.prepare("DELETE FROM t WHERE v = 99").run()
        #expect(await TestDatabase.errorMessage { _ = try await session.prepare("INSERT INTO missing VALUES (1)").run() } != nil)
        #expect(session.getBookmark() == afterBatch)
        // Writes outside the session move the database on; the session sees it at its next query.
        _ = try await db.prepare("INSERT INTO t VALUES (4)").run()
        #expect(session.getBookmark() == afterBatch)
        _ = try await session.prepare("SELECT count(*) AS n FROM t").first()
        #expect(afterBatch < (session.getBookmark() ?? ""))
    }

    @Test("a session from a bookmark reports it at once and reads the one database")
    func sessionFromBookmark() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        _ = try await db.prepare("CREATE TABLE t (v)").run()
        let first = db.withSession("first-primary")
        _ = try await first.prepare("INSERT INTO t VALUES ('a')").run()
        let bookmark = try #require(first.getBookmark())

        // A later request continues from the bookmark (as a header or cookie carries it, padded).
        let next = db.withSession(" \(bookmark)\n")
        #expect(next.getBookmark() == bookmark)
        #expect(try await next.prepare("SELECT v FROM t").first("v") == .text("a"))
        #expect(next.getBookmark() == bookmark)
        _ = try await next.prepare("INSERT INTO t VALUES ('b')").run()
        #expect(bookmark < (next.getBookmark() ?? ""))
    }

    @Test("any bookmark text is accepted, as Miniflare does; one sorting later than the database's is kept")
    func foreignBookmark() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory)
        defer { db.close() }
        let token = db.withSession("token-doesnot-matter-for-now")
        #expect(try await token.prepare("SELECT 1 AS one").first("one") == .integer(1))
        // "t..." sorts after every hex bookmark: the session keeps the later of the two, as workerd's does.
        #expect(token.getBookmark() == "token-doesnot-matter-for-now")
        let old = db.withSession("00000000-00000001-00000000-00000000000000000000000000000000")
        _ = try await old.prepare("SELECT 1").all()
        #expect(old.getBookmark() == db.latestBookmark)
    }

    @Test("bookmarks after reopening sort after those handed out before")
    func bookmarksSurviveReopening() async throws {
        let directory = try TemporaryDirectory()
        let before: String
        do {
            let db = try TestDatabase.make(in: directory)
            defer { db.close() }
            let session = db.withSession()
            _ = try await session.prepare("CREATE TABLE t (v)").run()
            for value in 0..<20 { _ = try await session.prepare("INSERT INTO t VALUES (?)").bind(.integer(Int64(value))).run() }
            before = try #require(session.getBookmark())
        }
        let reopened = try TestDatabase.make(in: directory)
        defer { reopened.close() }
        let session = reopened.withSession()
        _ = try await session.prepare("SELECT count(*) FROM t").all()
        #expect(before < (session.getBookmark() ?? ""))
    }

    @Test("the bookmark text is workerd's: n / 0xFFFFFFFF, n % 0xFFFFFFFF, 0, and 32 zeros")
    func bookmarkText() {
        let zeros = String(repeating: "0", count: 32)
        #expect(D1Bookmark.text(0) == "00000000-00000000-00000000-" + zeros)
        #expect(D1Bookmark.text(0xFFFF_FFFE) == "00000000-fffffffe-00000000-" + zeros)
        #expect(D1Bookmark.text(0xFFFF_FFFF) == "00000001-00000000-00000000-" + zeros)
        #expect(D1Bookmark.text(1_767_225_600_000_000) < D1Bookmark.text(1_767_225_600_000_001))
        #expect(D1Bookmark.next(after: UInt64.max - 1) == UInt64.max)
        #expect(D1Bookmark.next(after: 5) >= D1Bookmark.now() - 1_000_000)
    }
}
