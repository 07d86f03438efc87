import Foundation

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
