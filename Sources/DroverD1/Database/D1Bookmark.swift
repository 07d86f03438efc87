import Foundation

/// The bookmarks a local D1 database hands out to sessions (``SQLiteD1Database/latestBookmark``).
///
/// The text is workerd's local bookmark, which Miniflare returns under `wrangler dev`
/// (workerd `src/workerd/io/actor-sqlite.c++`, `ActorSqlite::getCurrentBookmark`): a 64-bit
/// counter `n` written as `%08x-%08x-%08x-` and 32 zeros, the groups being `n / 0xFFFFFFFF`,
/// `n % 0xFFFFFFFF` and 0, so that bookmarks sort as their counters, as D1's do.
///
/// What the counter counts differs. workerd advances a counter kept in the database on every query,
/// reads included. Here it advances on every write that changed the database (a bookmark names a
/// state of the database, which a read does not change) and is never written to the file: it is
/// the wall clock in microseconds, or one more than the previous bookmark when that is later. So
/// bookmarks still sort after those handed out before a restart, and after those of another
/// process on the same file (the CLI beside `drover dev`), without a write of its own per query or
/// a table of Drover's in the user's database.
enum D1Bookmark {
    /// The bookmark of counter `n`.
    static func text(_ n: UInt64) -> String {
        let divisor = UInt64(UInt32.max)
        return hex(UInt32(truncatingIfNeeded: n / divisor)) + "-" + hex(UInt32(truncatingIfNeeded: n % divisor))
            + "-00000000-" + String(repeating: "0", count: 32)
    }

    /// The counter's value now: microseconds since the epoch.
    static func now() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
    }

    /// The counter after a write: later than `previous`, and at least ``now()``.
    static func next(after previous: UInt64) -> UInt64 {
        max(previous &+ 1, now())
    }

    /// `value` as 8 lowercase hex digits.
    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
