import Drover
import DroverSQLite

/// Consuming: leasing deliverable messages, settling or releasing a batch by its token, and
/// ending leases whose instance is gone or whose deadline has passed.
extension QueueStore {
    /// How many messages of `queue` are deliverable at `now`, counting at most `limit`.
    func readyCount(queue: String, now: Int64, limit: Int) throws(QueuesError) -> Int {
        try database.run { () throws(SQLiteError) in
            let count = try database.statement(
                """
                SELECT COUNT(*) FROM (SELECT 1 FROM messages
                WHERE queue = ?1 AND lease_owner IS NULL AND visible_at_ms <= ?2 LIMIT ?3)
                """
            )
            try count.bind(queue, at: 1)
            try count.bind(now, at: 2)
            try count.bind(limit, at: 3)
            // A statement left mid-result would pin a WAL read snapshot: reset it before returning.
            defer { count.reset() }
            guard try count.step() else { return 0 }
            return count.int(0)
        }
    }

    /// Leases up to `limit` deliverable messages of `queue`, oldest due first, to this instance
    /// under a new random token until `deadline`, counting one more delivery on each. The lease
    /// has no messages when none is deliverable.
    func lease(queue: String, now: Int64, deadline: Int64, limit: Int) throws(QueuesError) -> QueueLease {
        let token = Int64.random(in: 1...Int64.max)
        let messages = try database.transaction { () throws(SQLiteError) in
            let lease = try database.statement(
                """
                UPDATE messages SET lease_owner = ?1, lease_token = ?2, lease_deadline_ms = ?3, deliveries = deliveries + 1
                WHERE seq IN (SELECT seq FROM messages
                              WHERE queue = ?4 AND lease_owner IS NULL AND visible_at_ms <= ?5
                              ORDER BY visible_at_ms, seq LIMIT ?6)
                RETURNING seq, id, timestamp_ms, content_type, body_kind, body, deliveries, visible_at_ms
                """
            )
            try lease.bind(instance.id, at: 1)
            try lease.bind(token, at: 2)
            try lease.bind(deadline, at: 3)
            try lease.bind(queue, at: 4)
            try lease.bind(now, at: 5)
            try lease.bind(limit, at: 6)
            var leased: [LeasedMessage] = []
            while try lease.step() {
                leased.append(
                    LeasedMessage(
                        seq: lease.int64(0),
                        visibleAtMilliseconds: lease.int64(7),
                        message: StoredMessage(
                            id: lease.text(1),
                            timestampMilliseconds: lease.int64(2),
                            contentType: QueueContentType(rawValue: lease.text(3)),
                            bodyKind: lease.int(4),
                            bodyBytes: lease.blob(5),
                            visibleAtMilliseconds: lease.int64(7)
                        ),
                        deliveries: lease.int(6)
                    )
                )
            }
            // RETURNING gives no order guarantee (https://www.sqlite.org/lang_returning.html).
            leased.sort { ($0.visibleAtMilliseconds, $0.seq) < ($1.visibleAtMilliseconds, $1.seq) }
            return leased
        }
        return QueueLease(queue: queue, token: token, deadlineMilliseconds: deadline, messages: messages)
    }

    /// Applies the fate of each message of a batch, in one transaction, to the rows that still
    /// hold `token`; a row whose lease was taken over (expired, released, re-leased) is left as
    /// it is. Dead-letter and drop counters count only rows changed here.
    /// - Returns: how many rows were settled.
    @discardableResult
    func settle(queue: String, token: Int64, _ fates: [(seq: Int64, fate: MessageFate)], now: Int64) throws(QueuesError) -> Int {
        try database.transaction { () throws(SQLiteError) in
            var settled = 0
            var deadLettered = 0
            var dropped = 0
            for (seq, fate) in fates {
                switch fate {
                case .acknowledge, .drop:
                    let delete = try database.statement("DELETE FROM messages WHERE seq = ?1 AND lease_token = ?2")
                    try delete.bind(seq, at: 1)
                    try delete.bind(token, at: 2)
                    try delete.run()
                    if fate == .drop { dropped += database.changes }
                case .retry(let visibleAt):
                    let retry = try database.statement(
                        """
                        UPDATE messages SET lease_owner = NULL, lease_token = NULL, lease_deadline_ms = NULL,
                            visible_at_ms = ?1, retry_delayed = 1
                        WHERE seq = ?2 AND lease_token = ?3
                        """
                    )
                    try retry.bind(visibleAt, at: 1)
                    try retry.bind(seq, at: 2)
                    try retry.bind(token, at: 3)
                    try retry.run()
                case .deadLetter(let target):
                    let move = try database.statement(
                        """
                        UPDATE messages SET lease_owner = NULL, lease_token = NULL, lease_deadline_ms = NULL,
                            queue = ?1, visible_at_ms = ?2, retry_delayed = 0, deliveries = 0, dead_lettered_from = ?3
                        WHERE seq = ?4 AND lease_token = ?5
                        """
                    )
                    try move.bind(target, at: 1)
                    try move.bind(now, at: 2)
                    try move.bind(queue, at: 3)
                    try move.bind(seq, at: 4)
                    try move.bind(token, at: 5)
                    try move.run()
                    deadLettered += database.changes
                }
                settled += database.changes
            }
            if deadLettered > 0 || dropped > 0 {
                let count = try database.statement(
                    """
                    INSERT INTO queue_counters(queue, dead_lettered, dropped) VALUES (?1, ?2, ?3)
                    ON CONFLICT(queue) DO UPDATE SET dead_lettered = dead_lettered + excluded.dead_lettered,
                        dropped = dropped + excluded.dropped
                    """
                )
                try count.bind(queue, at: 1)
                try count.bind(deadLettered, at: 2)
                try count.bind(dropped, at: 3)
                try count.run()
            }
            return settled
        }
    }

    /// Makes the rows of `seqs` that still hold `token` deliverable again at once, without a
    /// failure. `undoDelivery` also takes back the delivery counted at lease time, for a batch that
    /// never reached a handler.
    /// - Returns: how many rows were released.
    @discardableResult
    func release(token: Int64, _ seqs: [Int64], undoDelivery: Bool = false) throws(QueuesError) -> Int {
        try database.transaction { () throws(SQLiteError) in
            let release = try database.statement(
                """
                UPDATE messages SET lease_owner = NULL, lease_token = NULL, lease_deadline_ms = NULL,
                    deliveries = deliveries - ?3
                WHERE seq = ?1 AND lease_token = ?2
                """
            )
            var released = 0
            for seq in seqs {
                release.reset()
                try release.bind(seq, at: 1)
                try release.bind(token, at: 2)
                try release.bind(undoDelivery ? 1 : 0, at: 3)
                try release.run()
                released += database.changes
            }
            return released
        }
    }

    /// The leased messages of `queue` whose lease deadline is at or before `now`, whoever holds
    /// them, oldest first.
    func expiredLeases(queue: String, now: Int64) throws(QueuesError) -> [ExpiredLease] {
        try database.run { () throws(SQLiteError) in
            let expired = try database.statement(
                """
                SELECT seq, lease_token, id, deliveries FROM messages INDEXED BY messages_leased
                WHERE lease_owner IS NOT NULL AND lease_deadline_ms <= ?2 AND queue = ?1
                ORDER BY seq
                """
            )
            try expired.bind(queue, at: 1)
            try expired.bind(now, at: 2)
            defer { expired.reset() }
            var rows: [ExpiredLease] = []
            while try expired.step() {
                rows.append(
                    ExpiredLease(seq: expired.int64(0), token: expired.int64(1), id: expired.text(2), deliveries: expired.int(3))
                )
            }
            return rows
        }
    }

    /// Releases every lease held by an instance that is gone (see ``QueueInstance``), in every
    /// queue, and removes the files of gone instances: a consumer killed mid-batch leaves its
    /// messages in flight, and they become deliverable again at once (at-least-once delivery
    /// across crashes). Run when consumers start and when a drain begins.
    /// - Returns: how many messages were released.
    @discardableResult
    func releaseAbandonedLeases() throws(QueuesError) -> Int {
        instance.removeAbandonedHiddenFiles()
        let owners = try leaseOwners(queue: nil)
        var released = 0
        for owner in Set(owners).union(instance.listedInstances()) where instance.isGone(owner) {
            if owners.contains(owner) { released += try releaseLeases(owner: owner) }
        }
        return released
    }

    /// ``releaseAbandonedLeases()`` for the leases of one queue's messages, without the folder
    /// scan: cheap enough for every poll of a consumer.
    /// - Returns: how many messages were released.
    @discardableResult
    func releaseAbandonedLeases(queue: String) throws(QueuesError) -> Int {
        var released = 0
        for owner in try leaseOwners(queue: queue) where instance.isGone(owner) {
            released += try releaseLeases(owner: owner)
        }
        return released
    }

    /// The distinct instances holding leases, in `queue` or in any queue, this one excluded.
    private func leaseOwners(queue: String?) throws(QueuesError) -> [String] {
        try database.run { () throws(SQLiteError) in
            let owners = try database.statement(
                """
                SELECT DISTINCT lease_owner FROM messages INDEXED BY messages_leased
                WHERE lease_owner IS NOT NULL AND (?1 IS NULL OR queue = ?1) AND lease_owner <> ?2
                """
            )
            if let queue { try owners.bind(queue, at: 1) } else { try owners.bindNull(at: 1) }
            try owners.bind(instance.id, at: 2)
            defer { owners.reset() }
            var result: [String] = []
            while try owners.step() { result.append(owners.text(0)) }
            return result
        }
    }

    /// Makes every message leased by `owner` deliverable again at once, its delivery counted.
    private func releaseLeases(owner: String) throws(QueuesError) -> Int {
        try database.transaction { () throws(SQLiteError) in
            let release = try database.statement(
                """
                UPDATE messages INDEXED BY messages_leased
                SET lease_owner = NULL, lease_token = NULL, lease_deadline_ms = NULL
                WHERE lease_owner = ?1
                """
            )
            try release.bind(owner, at: 1)
            try release.run()
            return database.changes
        }
    }

    /// The earliest due time among messages of `queues` made to wait by a retry, not leased.
    func nextRetryDue(queues: [String]) throws(QueuesError) -> Int64? {
        try database.run { () throws(SQLiteError) in
            let next = try database.statement(
                "SELECT MIN(visible_at_ms) FROM messages WHERE queue = ?1 AND lease_owner IS NULL AND retry_delayed = 1"
            )
            defer { next.reset() }
            var earliest: Int64?
            for queue in queues {
                next.reset()
                try next.bind(queue, at: 1)
                if try next.step(), !next.isNull(0) {
                    let due = next.int64(0)
                    earliest = min(earliest ?? due, due)
                }
            }
            return earliest
        }
    }
}

/// Messages leased together as one batch.
struct QueueLease: Sendable {
    var queue: String
    /// Names this batch in the store; settling and releasing touch only rows still holding it.
    var token: Int64
    /// When the lease expires, in the store clock's milliseconds.
    var deadlineMilliseconds: Int64
    /// Oldest due first; empty when nothing was deliverable.
    var messages: [LeasedMessage]
}

/// A message handed to a consumer, with its row and delivery count.
struct LeasedMessage: Sendable {
    var seq: Int64
    var visibleAtMilliseconds: Int64
    var message: StoredMessage
    /// Deliveries so far, this one included: the consumer's `attempts`.
    var deliveries: Int
}

/// A leased message whose deadline has passed.
struct ExpiredLease: Sendable {
    var seq: Int64
    var token: Int64
    var id: String
    /// Deliveries so far, the expired one included.
    var deliveries: Int
}

/// What happens to one message once its batch is done.
enum MessageFate: Sendable, Equatable {
    case acknowledge
    case retry(visibleAt: Int64)
    case deadLetter(to: String)
    case drop
}
