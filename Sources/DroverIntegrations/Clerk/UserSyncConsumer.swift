import Drover

/// The `user-sync` consumer: keeps `users` as Clerk's events describe them.
///
/// Each message is one statement, applied only when the event is at least as recent as the one
/// that last wrote the row (`event_at`): events may arrive out of order (queues retry, Svix
/// retries), and an older `user.updated` must not bring back a name, or undo a deletion, that a
/// newer event changed. A deletion keeps the row, marked `deleted = 1` (the id may be referenced
/// elsewhere); a later `user.created` or `user.updated` of the same id clears the mark. A message
/// without a user id is retried, then dead-lettered, without holding up the others.
enum UserSyncConsumer {
    static func consume(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        let database = try env.d1("DB")
        for message in batch.messages {
            do {
                let event = try ClerkUserEvent(message.body)
                let user = try event.user()
                _ = try await statement(for: event, user: user, database).run()
                message.ack()
                ctx.logger.info("clerk \(event.kind.rawValue) \(user.id) (event \(event.svixID)) applied")
            } catch {
                ctx.logger.error("user-sync message \(message.id), attempt \(message.attempts): \(error)")
                message.retry(delaySeconds: QueueRetry.delay(afterAttempt: message.attempts))
            }
        }
    }

    /// The upsert of `event`, a no-op when the stored row comes from a newer event.
    static func statement(for event: ClerkUserEvent, user: ClerkUser, _ database: any D1Database) -> D1PreparedStatement {
        switch event.kind {
        case .created, .updated:
            database.prepare(
                """
                INSERT INTO users (id, email, first_name, last_name, deleted, event_at) VALUES (?1, ?2, ?3, ?4, 0, ?5)
                ON CONFLICT (id) DO UPDATE SET
                    email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name,
                    deleted = 0, event_at = excluded.event_at
                WHERE users.event_at IS NULL OR excluded.event_at >= users.event_at
                """
            ).bind(user.id, user.email, user.firstName, user.lastName, event.occurredAt)
        case .deleted:
            database.prepare(
                """
                INSERT INTO users (id, deleted, event_at) VALUES (?1, 1, ?2)
                ON CONFLICT (id) DO UPDATE SET deleted = 1, event_at = excluded.event_at
                WHERE users.event_at IS NULL OR excluded.event_at >= users.event_at
                """
            ).bind(user.id, event.occurredAt)
        }
    }
}
