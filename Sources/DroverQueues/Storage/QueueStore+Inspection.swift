import Drover
import DroverSQLite

/// What the dashboard and the CLI do to a queue besides sending and consuming: look at its
/// messages without leasing them, delete one or all, replay one dead letter, pause delivery.
extension QueueStore {
    /// Up to `limit` messages of `queue` in the order they will be delivered (due first, then by
    /// send order), leased ones included, none of them leased or changed by looking.
    func messages(queue: String, limit: Int) throws(QueuesError) -> [QueuedMessage] {
        try database.run { () throws(SQLiteError) in
            let list = try database.statement(
                """
                SELECT id, timestamp_ms, content_type, body_kind, body, deliveries, visible_at_ms, lease_token,
                    dead_lettered_from, traceparent, last_error
                FROM messages WHERE queue = ?1 ORDER BY visible_at_ms, seq LIMIT ?2
                """
            )
            defer { list.reset() }
            try list.bind(queue, at: 1)
            try list.bind(limit, at: 2)
            var messages: [QueuedMessage] = []
            while try list.step() {
                let stored = StoredMessage(
                    id: list.text(0),
                    timestampMilliseconds: list.int64(1),
                    contentType: QueueContentType(rawValue: list.text(2)),
                    bodyKind: list.int(3),
                    bodyBytes: list.blob(4),
                    visibleAtMilliseconds: list.int64(6),
                    traceparent: list.isNull(9) ? nil : list.text(9)
                )
                messages.append(
                    QueuedMessage(
                        id: stored.id,
                        queue: queue,
                        timestampMilliseconds: stored.timestampMilliseconds,
                        contentType: stored.contentType,
                        body: stored.body,
                        deliveries: list.int(5),
                        visibleAtMilliseconds: stored.visibleAtMilliseconds,
                        inFlight: !list.isNull(7),
                        deadLetteredFrom: list.isNull(8) ? nil : list.text(8),
                        lastError: list.isNull(10) ? nil : list.text(10)
                    )
                )
            }
            return messages
        }
    }

    /// Deletes every message of `queue`, those a consumer holds included (its acknowledgement then
    /// settles nothing). Returns how many.
    func purge(queue: String) throws(QueuesError) -> Int {
        try database.transaction { () throws(SQLiteError) in
            let purge = try database.statement("DELETE FROM messages WHERE queue = ?1")
            try purge.bind(queue, at: 1)
            try purge.run()
            return database.changes
        }
    }

    /// Deletes the message `id` of `queue` unless a consumer holds it: whether one was deleted.
    func delete(queue: String, id: String) throws(QueuesError) -> Bool {
        try database.transaction { () throws(SQLiteError) in
            let delete = try database.statement("DELETE FROM messages WHERE queue = ?1 AND id = ?2 AND lease_token IS NULL")
            try delete.bind(queue, at: 1)
            try delete.bind(id, at: 2)
            try delete.run()
            return database.changes > 0
        }
    }

    /// Moves the dead letter `id` held in or sent from `queue` back to the queue it came from,
    /// deliverable at `now`, attempts starting again at 1; with `body`, its body and content type
    /// replaced first (an edited replay). The queue it went to, or nil when there is no such dead
    /// letter or a dead-letter consumer holds it.
    func replayDeadLetter(queue: String, id: String, body: (MessageBody, QueueContentType)?, now: Int64) throws(QueuesError) -> String? {
        try database.transaction { () throws(SQLiteError) in
            let replay = try database.statement(
                """
                UPDATE messages SET queue = dead_lettered_from, dead_lettered_from = NULL, deliveries = 0,
                    retry_delayed = 0, visible_at_ms = ?3,
                    body_kind = coalesce(?4, body_kind), body = coalesce(?5, body), content_type = coalesce(?6, content_type)
                WHERE seq = (SELECT seq FROM messages WHERE id = ?2 AND dead_lettered_from IS NOT NULL
                             AND (dead_lettered_from = ?1 OR queue = ?1) AND lease_token IS NULL ORDER BY seq LIMIT 1)
                RETURNING queue
                """
            )
            defer { replay.reset() }
            try replay.bind(queue, at: 1)
            try replay.bind(id, at: 2)
            try replay.bind(now, at: 3)
            if let (body, contentType) = body {
                let (kind, bytes) = StoredMessage.encode(body)
                try replay.bind(kind, at: 4)
                try replay.bind(blob: bytes, at: 5)
                try replay.bind(contentType.rawValue, at: 6)
            } else {
                try replay.bindNull(at: 4)
                try replay.bindNull(at: 5)
                try replay.bindNull(at: 6)
            }
            guard try replay.step() else { return nil }
            return replay.text(0)
        }
    }

    /// Pauses or resumes the delivery of `queue` (sending goes on): a paused queue's messages are
    /// not leased (``lease(queue:now:deadline:limit:)``) by this or any other process on the store.
    func setPaused(_ paused: Bool, queue: String) throws(QueuesError) {
        try database.transaction { () throws(SQLiteError) in
            let set = try database.statement(
                "INSERT INTO queue_settings(queue, paused) VALUES (?1, ?2) ON CONFLICT(queue) DO UPDATE SET paused = ?2"
            )
            try set.bind(queue, at: 1)
            try set.bind(paused ? 1 : 0, at: 2)
            try set.run()
        }
    }

    /// The queues whose delivery is paused.
    func pausedQueues() throws(QueuesError) -> Set<String> {
        try database.run { () throws(SQLiteError) in
            let list = try database.statement("SELECT queue FROM queue_settings WHERE paused")
            defer { list.reset() }
            var paused: Set<String> = []
            while try list.step() { paused.insert(list.text(0)) }
            return paused
        }
    }
}

/// A message of a queue as the dashboard shows it, read without leasing it.
package struct QueuedMessage: Sendable, Hashable {
    /// The message id.
    package var id: String
    /// The queue holding it now.
    package var queue: String
    /// When it was first sent.
    package var timestampMilliseconds: Int64
    /// The declared content type.
    package var contentType: QueueContentType
    /// The body as sent.
    package var body: MessageBody
    /// How often it has been delivered (its `attempts` on the next delivery is one more).
    package var deliveries: Int
    /// When it is next deliverable: its send or retry delay; in the past when it is ready.
    package var visibleAtMilliseconds: Int64
    /// Whether a consumer holds it now.
    package var inFlight: Bool
    /// The queue that dead-lettered it, when it sits in a dead-letter queue.
    package var deadLetteredFrom: String?
    /// Why it last failed, when it has been retried or dead-lettered.
    package var lastError: String?
}
