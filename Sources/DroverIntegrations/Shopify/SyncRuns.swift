import Drover
import Foundation

/// The `sync_runs` table: one row per run of the product push (`products`) or the order pull
/// (`orders`), started as `running` and finished as `succeeded` or `failed` with its counts.
struct SyncRuns {
    /// What a run synchronises.
    enum Entity: String, Sendable, CaseIterable {
        case products
        case orders
    }

    /// A run's counts when it finishes.
    struct Counts: Sendable {
        var succeeded = 0
        var failed = 0
        var skipped = 0
    }

    /// A run still marked `running` after this long is taken for one whose worker died, and no
    /// longer keeps another from starting.
    static let staleAfter: TimeInterval = 15 * 60

    let database: any D1Database
    let clock: any WallClock

    /// Starts a run of `entity`, unless one started less than ``staleAfter`` ago is still running
    /// — decided inside one statement, so two callers cannot both start.
    /// - Returns: the run's id, or nil when another run is under way.
    func start(_ entity: Entity, trigger: String, since: String? = nil) async throws -> Int64? {
        let now = clock.now()
        let result = try await database.prepare(
            """
            INSERT INTO sync_runs (entity, started_at, triggered_by, status, since)
            SELECT ?1, ?2, ?3, 'running', ?4 WHERE NOT EXISTS (
                SELECT 1 FROM sync_runs WHERE entity = ?1 AND status = 'running' AND julianday(started_at) > julianday(?5))
            """
        ).bind(entity.rawValue, Self.timestamp(now), trigger, since, Self.timestamp(now.addingTimeInterval(-Self.staleAfter))).run()
        return result.meta.changes == 1 ? result.meta.lastRowId : nil
    }

    /// Finishes run `id` with `counts`, `failed` when `error` is given.
    func finish(_ id: Int64, counts: Counts, error: String? = nil) async throws {
        _ = try await database.prepare(
            """
            UPDATE sync_runs SET finished_at = ?2, status = ?3, succeeded = ?4, failed = ?5, skipped = ?6, error = ?7
            WHERE id = ?1
            """
        ).bind(id, Self.timestamp(clock.now()), error == nil ? "succeeded" : "failed", counts.succeeded, counts.failed, counts.skipped, error)
            .run()
    }

    /// When the last run of `entity` that succeeded started; nil before the first.
    func lastSuccessStart(_ entity: Entity) async throws -> String? {
        try await database.prepare(
            "SELECT started_at FROM sync_runs WHERE entity = ?1 AND status = 'succeeded' ORDER BY id DESC LIMIT 1"
        ).bind(entity.rawValue).first("started_at")?.string
    }

    /// `GET /api/shopify/sync/status`: the last run of each entity, or null before the first.
    func status() async throws -> JSONValue {
        var entities = JSONObject()
        for entity in Entity.allCases {
            let row = try await database.prepare(
                """
                SELECT started_at, finished_at, status, triggered_by, succeeded, failed, skipped, error
                FROM sync_runs WHERE entity = ?1 ORDER BY id DESC LIMIT 1
                """
            ).bind(entity.rawValue).first()
            entities[entity.rawValue] = row.map { row in
                [
                    "started": row["started_at"]?.string, "finished": row["finished_at"]?.string, "status": row["status"]?.string,
                    "trigger": row["triggered_by"]?.string, "succeeded": row["succeeded"]?.int64, "failed": row["failed"]?.int64,
                    "skipped": row["skipped"]?.int64, "error": row["error"]?.string,
                ]
            } ?? .null
        }
        return .object(entities)
    }

    /// `2026-01-01T00:00:00Z`: UTC, to the second, as Shopify's `updated_at_min` takes it.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
