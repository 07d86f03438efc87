import Drover
import Foundation

/// `email_log` — one row per message, updated by each attempt — and `email_dead_letters`, the
/// messages the queue gave up on, kept for `GET /api/email/dlq` and its replay.
struct EmailLog {
    let database: any D1Database
    let clock: any WallClock

    /// Records an attempt's outcome: `attempts` counts every attempt made, those after a replay
    /// from the dead letters included. A `sent` row is never changed back by a late failure.
    func record(_ email: EmailMessage, status: String, error: String?, providerID: String?) async throws {
        _ = try await database.prepare(
            """
            INSERT INTO email_log (id, recipient, template, status, attempts, last_error, provider_id, updated_at)
            VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7)
            ON CONFLICT (id) DO UPDATE SET
                status = excluded.status, attempts = email_log.attempts + 1, last_error = excluded.last_error,
                provider_id = coalesce(excluded.provider_id, email_log.provider_id), updated_at = excluded.updated_at
            WHERE email_log.status <> 'sent'
            """
        ).bind(email.id, email.to, email.template, status, error, providerID, Self.timestamp(clock.now())).run()
    }

    /// Keeps a dead letter and marks its log row `dead`, in one transaction.
    func keepDeadLetter(_ email: EmailMessage) async throws {
        let now = Self.timestamp(clock.now())
        _ = try await database.batch([
            database.prepare(
                """
                INSERT INTO email_dead_letters (id, message, dead_at, replayed_at) VALUES (?1, ?2, ?3, NULL)
                ON CONFLICT (id) DO UPDATE SET message = excluded.message, dead_at = excluded.dead_at, replayed_at = NULL
                """
            ).bind(email.id, JSONSerializer.string(email.json), now),
            database.prepare(
                """
                INSERT INTO email_log (id, recipient, template, status, attempts, updated_at) VALUES (?1, ?2, ?3, 'dead', 0, ?4)
                ON CONFLICT (id) DO UPDATE SET status = 'dead', updated_at = excluded.updated_at WHERE email_log.status <> 'sent'
                """
            ).bind(email.id, email.to, email.template, now),
        ])
    }

    /// The dead letters not replayed yet, oldest first, at most `limit`.
    func deadLetters(limit: Int = 100) async throws -> [(email: EmailMessage, deadAt: String, lastError: String?)] {
        let rows = try await database.prepare(
            """
            SELECT d.message, d.dead_at, l.last_error FROM email_dead_letters d LEFT JOIN email_log l ON l.id = d.id
            WHERE d.replayed_at IS NULL ORDER BY d.dead_at, d.id LIMIT ?1
            """
        ).bind(limit).all().results
        return rows.compactMap { row in
            guard let text = row["message"]?.string, let json = try? JSONParser.parse(text), let email = try? EmailMessage(.json(json)) else {
                return nil
            }
            return (email, row["dead_at"]?.string ?? "", row["last_error"]?.string)
        }
    }

    /// Marks dead letters `ids` replayed.
    func markReplayed(_ ids: [String]) async throws {
        let now = Self.timestamp(clock.now())
        let mark = database.prepare("UPDATE email_dead_letters SET replayed_at = ?2 WHERE id = ?1 AND replayed_at IS NULL")
        _ = try await database.batch(ids.map { mark.bind($0, now) })
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}
