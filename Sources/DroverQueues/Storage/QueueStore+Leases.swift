import Drover
import DroverSQLite

/// Consuming: leasing deliverable messages, settling or releasing a batch by its token, and
/// finding leases whose instance is gone or whose deadline has passed (see ``schema`` for the
/// `leases` table).
extension QueueStore {
    /// How many messages of `queue` are deliverable at `now`, counting at most `limit`.
    func readyCount(queue: String, now: Int64, limit: Int) throws(QueuesError) -> Int {
        try database.run { () throws(SQLiteError) in
            let count = try database.statement(
                """
                SELECT COUNT(*) FROM (SELECT 1 FROM messages
                WHERE queue = ?1 AND lease_token IS NULL AND visible_at_ms <= ?2
                    AND NOT EXISTS (SELECT 1 FROM queue_settings WHERE queue = ?1 AND paused) LIMIT ?3)
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

    /// Leases up to `limit` deliverable messages of `queue` (none while it is paused), oldest due first, to this instance
    /// under a new random token until `deadline`, counting one more delivery on each: the
    /// messages and the `leases` row are written in one transaction. The lease has no messages
    /// (and no row) when none is deliverable.
    func lease(queue: String, now: Int64, deadline: Int64, limit: Int) throws(QueuesError) -> QueueLease {
        let token = Int64.random(in: 1...Int64.max)
        let messages = try database.transaction { () throws(SQLiteError) in
            let lease = try database.statement(
                """
                UPDATE messages SET lease_token = ?1, deliveries = deliveries + 1
                WHERE seq IN (SELECT seq FROM messages
                              WHERE queue = ?2 AND lease_token IS NULL AND visible_at_ms <= ?3
                                  AND NOT EXISTS (SELECT 1 FROM queue_settings WHERE queue = ?2 AND paused)
                              ORDER BY visible_at_ms, seq LIMIT ?4)
                RETURNING seq, id, timestamp_ms, content_type, body_kind, body, deliveries, visible_at_ms, traceparent
                """
            )
            try lease.bind(token, at: 1)
            try lease.bind(queue, at: 2)
            try lease.bind(now, at: 3)
            try lease.bind(limit, at: 4)
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
                            visibleAtMilliseconds: lease.int64(7),
                            traceparent: lease.isNull(8) ? nil : lease.text(8)
                        ),
                        deliveries: lease.int(6)
                    )
                )
            }
            guard !leased.isEmpty else { return leased }
            // RETURNING gives no order guarantee (https://www.sqlite.org/lang_returning.html).
            leased.sort { ($0.visibleAtMilliseconds, $0.seq) < ($1.visibleAtMilliseconds, $1.seq) }
            let record = try database.statement(
                "INSERT INTO leases(token, owner, queue, deadline_ms, seqs) VALUES (?1, ?2, ?3, ?4, ?5)"
            )
            try record.bind(token, at: 1)
            try record.bind(instance.id, at: 2)
            try record.bind(queue, at: 3)
            try record.bind(deadline, at: 4)
            try record.bind(blob: Self.encode(seqs: leased.map(\.seq)), at: 5)
            try record.run()
            return leased
        }
        return QueueLease(queue: queue, token: token, deadlineMilliseconds: deadline, messages: messages)
    }

    /// Applies the fate of each message of a batch, in one transaction, to the messages that still
    /// hold `token`, and ends the lease; a message whose lease was taken over (expired, released,
    /// re-leased) is left as it is. Dead-letter and drop counters count only messages changed here.
    /// - Returns: how many messages were settled.
    @discardableResult
    ///
    /// `failure` (why the batch's retried messages failed: what the handler threw, a retry it asked
    /// for, a missed deadline) is kept on each message retried or dead-lettered, with, on a dead
    /// letter, the deliveries it had; the dashboard shows both.
    func settle(queue: String, token: Int64, _ fates: [(seq: Int64, fate: MessageFate)], now: Int64, failure: String? = nil) throws(QueuesError) -> Int {
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
                        UPDATE messages SET lease_token = NULL, visible_at_ms = ?1, retry_delayed = 1, last_error = ?4
                        WHERE seq = ?2 AND lease_token = ?3
                        """
                    )
                    try retry.bind(visibleAt, at: 1)
                    try retry.bind(seq, at: 2)
                    try retry.bind(token, at: 3)
                    if let failure { try retry.bind(failure, at: 4) } else { try retry.bindNull(at: 4) }
                    try retry.run()
                case .deadLetter(let target):
                    let move = try database.statement(
                        """
                        UPDATE messages SET lease_token = NULL, queue = ?1, visible_at_ms = ?2, retry_delayed = 0,
                            failed_deliveries = deliveries, deliveries = 0, dead_lettered_from = ?3, last_error = ?6
                        WHERE seq = ?4 AND lease_token = ?5
                        """
                    )
                    if let failure { try move.bind(failure, at: 6) } else { try move.bindNull(at: 6) }
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
            try endLease(token: token)
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

    /// Makes the messages of `seqs` that still hold `token` deliverable again at once, without a
    /// failure, and ends the lease. `undoDelivery` also takes back the delivery counted at lease
    /// time, for a batch that never reached a handler.
    /// - Returns: how many messages were released.
    @discardableResult
    func release(token: Int64, _ seqs: [Int64], undoDelivery: Bool = false) throws(QueuesError) -> Int {
        try database.transaction { () throws(SQLiteError) in
            let released = try releaseMessages(token: token, seqs, undoDelivery: undoDelivery)
            try endLease(token: token)
            return released
        }
    }

    /// The leases of `queue` whose deadline is at or before `now`, whoever holds them, earliest
    /// deadline first, each with its messages that still hold its token.
    func expiredLeases(queue: String, now: Int64) throws(QueuesError) -> [ExpiredLease] {
        try database.run { () throws(SQLiteError) in
            let leases = try database.statement(
                "SELECT token, seqs FROM leases WHERE queue = ?1 AND deadline_ms <= ?2 ORDER BY deadline_ms, token"
            )
            try leases.bind(queue, at: 1)
            try leases.bind(now, at: 2)
            var found: [(token: Int64, seqs: [Int64])] = []
            while try leases.step() { found.append((leases.int64(0), Self.decodeSeqs(leases.blob(1)))) }
            leases.reset()
            guard !found.isEmpty else { return [] }
            let message = try database.statement("SELECT id, deliveries FROM messages WHERE seq = ?1 AND lease_token = ?2")
            defer { message.reset() }
            return try found.map { (lease) throws(SQLiteError) -> ExpiredLease in
                var messages: [ExpiredLease.Message] = []
                for seq in lease.seqs {
                    message.reset()
                    try message.bind(seq, at: 1)
                    try message.bind(lease.token, at: 2)
                    if try message.step() {
                        messages.append(ExpiredLease.Message(seq: seq, id: message.text(0), deliveries: message.int(1)))
                    }
                }
                return ExpiredLease(token: lease.token, messages: messages)
            }
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

    /// ``releaseAbandonedLeases()`` for the leases of one queue, without the folder scan: cheap
    /// enough for every poll of a consumer.
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
                "SELECT DISTINCT owner FROM leases WHERE (?1 IS NULL OR queue = ?1) AND owner <> ?2"
            )
            if let queue { try owners.bind(queue, at: 1) } else { try owners.bindNull(at: 1) }
            try owners.bind(instance.id, at: 2)
            defer { owners.reset() }
            var result: [String] = []
            while try owners.step() { result.append(owners.text(0)) }
            return result
        }
    }

    /// Ends every lease of `owner`, its messages deliverable again at once, their delivery counted.
    private func releaseLeases(owner: String) throws(QueuesError) -> Int {
        try database.transaction { () throws(SQLiteError) in
            let leases = try database.statement("SELECT token, seqs FROM leases WHERE owner = ?1")
            try leases.bind(owner, at: 1)
            var found: [(token: Int64, seqs: [Int64])] = []
            while try leases.step() { found.append((leases.int64(0), Self.decodeSeqs(leases.blob(1)))) }
            leases.reset()
            var released = 0
            for lease in found {
                released += try releaseMessages(token: lease.token, lease.seqs, undoDelivery: false)
                try endLease(token: lease.token)
            }
            return released
        }
    }

    /// Clears `token` from the messages of `seqs` that hold it; inside a transaction.
    private func releaseMessages(token: Int64, _ seqs: [Int64], undoDelivery: Bool) throws(SQLiteError) -> Int {
        let release = try database.statement(
            "UPDATE messages SET lease_token = NULL, deliveries = deliveries - ?3 WHERE seq = ?1 AND lease_token = ?2"
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

    /// Deletes the `leases` row of `token`; inside a transaction.
    private func endLease(token: Int64) throws(SQLiteError) {
        let end = try database.statement("DELETE FROM leases WHERE token = ?1")
        try end.bind(token, at: 1)
        try end.run()
    }

    /// A batch's `seq`s as stored in `leases.seqs`: 8 bytes each, little-endian.
    static func encode(seqs: [Int64]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(seqs.count * 8)
        for seq in seqs {
            withUnsafeBytes(of: seq.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// The inverse of ``encode(seqs:)``; a trailing partial value (a damaged row) is ignored.
    static func decodeSeqs(_ bytes: [UInt8]) -> [Int64] {
        stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { start in
            var value: UInt64 = 0
            for offset in (0..<8).reversed() { value = value << 8 | UInt64(bytes[start + offset]) }
            return Int64(bitPattern: value)
        }
    }

    /// The earliest due time among messages of `queues` made to wait by a retry, not leased.
    func nextRetryDue(queues: [String]) throws(QueuesError) -> Int64? {
        try database.run { () throws(SQLiteError) in
            let next = try database.statement(
                "SELECT MIN(visible_at_ms) FROM messages WHERE queue = ?1 AND lease_token IS NULL AND retry_delayed = 1"
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

/// A lease whose deadline has passed, with its messages that still hold its token.
struct ExpiredLease: Sendable {
    struct Message: Sendable {
        var seq: Int64
        var id: String
        /// Deliveries so far, the expired one included.
        var deliveries: Int
    }

    var token: Int64
    /// Empty when every message was settled or taken over meanwhile (the lease row is then stale).
    var messages: [Message]
}

/// What happens to one message once its batch is done.
enum MessageFate: Sendable, Equatable {
    case acknowledge
    case retry(visibleAt: Int64)
    case deadLetter(to: String)
    case drop
}
