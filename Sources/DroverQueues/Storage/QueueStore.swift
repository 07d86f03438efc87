import Drover
import DroverSQLite
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The durable store of every queue under one state directory: `<state>/queues/queues.sqlite`.
///
/// One SQLite database in WAL mode with `synchronous = NORMAL`: a committed transaction is in the
/// write-ahead log before `COMMIT` returns, so it survives the process being killed (kill -9); only
/// a power loss may roll back the last transactions ("WAL mode ... synchronous=NORMAL ... is
/// durable across application crashes", https://www.sqlite.org/pragma.html#pragma_synchronous).
/// Several processes share the file (the dev server and `drover queues ...`): SQLite's locking
/// serialises writers, and a busy timeout makes each wait its turn.
///
/// A message is one row. Delivering it marks the row as leased by the consumer's process id; the
/// batch's outcome then deletes it (ack), makes it visible again later (retry), moves it to another
/// queue (dead letter) or deletes it (dropped). A lease whose process is gone is released on the
/// next consumer start, which is how a message in flight during a crash is delivered again.
actor QueueStore {
    private let database: QueueDatabase
    private let executor: DispatchQueueExecutor
    /// The lease owner written into rows this process delivers.
    private let processID: Int64

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens or creates the store in `directory` (created when absent).
    init(directory: String) throws(QueuesError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create queue directory \(directory): \(error.localizedDescription)")
        }
        let database = try QueueDatabase(path: directory + "/queues.sqlite")
        try database.run { () throws(SQLiteError) in
            try database.execute("PRAGMA busy_timeout = 10000")
            try database.execute("PRAGMA journal_mode = WAL")
            try database.execute("PRAGMA synchronous = NORMAL")
        }
        try database.transaction { () throws(SQLiteError) in
            try database.execute(Self.schema)
        }
        self.database = database
        self.executor = DispatchQueueExecutor(label: "drover.queues.store")
        self.processID = Int64(getpid())
    }

    private static let schema = """
        CREATE TABLE IF NOT EXISTS messages(
            seq INTEGER PRIMARY KEY,
            queue TEXT NOT NULL,
            id TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            content_type TEXT NOT NULL,
            body_kind INTEGER NOT NULL,
            body BLOB NOT NULL,
            visible_at_ms INTEGER NOT NULL,
            retry_delayed INTEGER NOT NULL DEFAULT 0,
            deliveries INTEGER NOT NULL DEFAULT 0,
            leased_by INTEGER,
            dead_lettered_from TEXT
        );
        CREATE INDEX IF NOT EXISTS messages_ready ON messages(queue, visible_at_ms, seq) WHERE leased_by IS NULL;
        CREATE INDEX IF NOT EXISTS messages_dead ON messages(dead_lettered_from) WHERE dead_lettered_from IS NOT NULL;
        CREATE TABLE IF NOT EXISTS queue_counters(
            queue TEXT PRIMARY KEY,
            dead_lettered INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        """

    // MARK: Producing

    /// Appends `messages` to `queue` in one transaction: all or none are stored.
    func insert(queue: String, _ messages: [StoredMessage]) throws(QueuesError) {
        try database.transaction { () throws(SQLiteError) in
            let insert = try database.statement(
                """
                INSERT INTO messages(queue, id, timestamp_ms, content_type, body_kind, body, visible_at_ms)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """
            )
            for message in messages {
                insert.reset()
                try insert.bind(queue, at: 1)
                try insert.bind(message.id, at: 2)
                try insert.bind(message.timestampMilliseconds, at: 3)
                try insert.bind(message.contentType.rawValue, at: 4)
                try insert.bind(message.bodyKind, at: 5)
                try insert.bind(blob: message.bodyBytes, at: 6)
                try insert.bind(message.visibleAtMilliseconds, at: 7)
                try insert.run()
            }
        }
    }

    // MARK: Consuming

    /// How many messages of `queue` are deliverable at `now`, counting at most `limit`.
    func readyCount(queue: String, now: Int64, limit: Int) throws(QueuesError) -> Int {
        try database.run { () throws(SQLiteError) in
            let count = try database.statement(
                """
                SELECT COUNT(*) FROM (SELECT 1 FROM messages
                WHERE queue = ?1 AND leased_by IS NULL AND visible_at_ms <= ?2 LIMIT ?3)
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

    /// Leases up to `limit` deliverable messages of `queue`, oldest due first, counting one more
    /// delivery on each.
    func lease(queue: String, now: Int64, limit: Int) throws(QueuesError) -> [LeasedMessage] {
        try database.transaction { () throws(SQLiteError) in
            let lease = try database.statement(
                """
                UPDATE messages SET leased_by = ?1, deliveries = deliveries + 1
                WHERE seq IN (SELECT seq FROM messages
                              WHERE queue = ?2 AND leased_by IS NULL AND visible_at_ms <= ?3
                              ORDER BY visible_at_ms, seq LIMIT ?4)
                RETURNING seq, id, timestamp_ms, content_type, body_kind, body, deliveries, visible_at_ms
                """
            )
            try lease.bind(processID, at: 1)
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
    }

    /// Applies the fate of each message of a finished batch, in one transaction.
    func settle(queue: String, _ fates: [(seq: Int64, fate: MessageFate)], now: Int64) throws(QueuesError) {
        try database.transaction { () throws(SQLiteError) in
            var deadLettered = 0
            var dropped = 0
            for (seq, fate) in fates {
                switch fate {
                case .acknowledge:
                    let delete = try database.statement("DELETE FROM messages WHERE seq = ?1")
                    try delete.bind(seq, at: 1)
                    try delete.run()
                case .retry(let visibleAt):
                    let retry = try database.statement(
                        "UPDATE messages SET leased_by = NULL, visible_at_ms = ?1, retry_delayed = 1 WHERE seq = ?2"
                    )
                    try retry.bind(visibleAt, at: 1)
                    try retry.bind(seq, at: 2)
                    try retry.run()
                case .deadLetter(let target):
                    let move = try database.statement(
                        """
                        UPDATE messages SET leased_by = NULL, queue = ?1, visible_at_ms = ?2, retry_delayed = 0,
                            deliveries = 0, dead_lettered_from = ?3 WHERE seq = ?4
                        """
                    )
                    try move.bind(target, at: 1)
                    try move.bind(now, at: 2)
                    try move.bind(queue, at: 3)
                    try move.bind(seq, at: 4)
                    try move.run()
                    deadLettered += 1
                case .drop:
                    let delete = try database.statement("DELETE FROM messages WHERE seq = ?1")
                    try delete.bind(seq, at: 1)
                    try delete.run()
                    dropped += 1
                }
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
        }
    }

    /// Makes leased messages deliverable again without counting their delivery as a failure.
    func release(_ seqs: [Int64]) throws(QueuesError) {
        try database.transaction { () throws(SQLiteError) in
            let release = try database.statement("UPDATE messages SET leased_by = NULL WHERE seq = ?1")
            for seq in seqs {
                release.reset()
                try release.bind(seq, at: 1)
                try release.run()
            }
        }
    }

    /// Releases leases held by processes that no longer exist (a consumer killed mid-batch), so
    /// their messages are delivered again: at-least-once delivery across crashes. Returns how many
    /// messages were released.
    @discardableResult
    func releaseAbandonedLeases() throws(QueuesError) -> Int {
        let dead = try database.run { () throws(SQLiteError) in
            let owners = try database.statement("SELECT DISTINCT leased_by FROM messages WHERE leased_by IS NOT NULL")
            var dead: [Int64] = []
            while try owners.step() {
                let owner = owners.int64(0)
                if owner != processID && !Self.processExists(owner) { dead.append(owner) }
            }
            return dead
        }
        guard !dead.isEmpty else { return 0 }
        return try database.transaction { () throws(SQLiteError) in
            var released = 0
            let release = try database.statement("UPDATE messages SET leased_by = NULL WHERE leased_by = ?1")
            for owner in dead {
                release.reset()
                try release.bind(owner, at: 1)
                try release.run()
                released += database.changes
            }
            return released
        }
    }

    /// Whether a process with `pid` exists (`kill(pid, 0)`; EPERM means it exists but is not ours).
    private static func processExists(_ pid: Int64) -> Bool {
        guard pid > 0, pid <= Int64(Int32.max) else { return false }
        if kill(pid_t(pid), 0) == 0 { return true }
        return errno == EPERM
    }

    /// The earliest due time among messages of `queues` made to wait by a retry, not leased.
    func nextRetryDue(queues: [String]) throws(QueuesError) -> Int64? {
        try database.run { () throws(SQLiteError) in
            let next = try database.statement(
                "SELECT MIN(visible_at_ms) FROM messages WHERE queue = ?1 AND leased_by IS NULL AND retry_delayed = 1"
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

    // MARK: Inspecting

    /// Counts per queue at `now`: every queue with a stored message or a counter.
    func stats(now: Int64) throws(QueuesError) -> [String: QueueStats] {
        try database.run { () throws(SQLiteError) in
            var result: [String: QueueStats] = [:]
            let counts = try database.statement(
                """
                SELECT queue,
                       SUM(leased_by IS NULL AND visible_at_ms <= ?1),
                       SUM(leased_by IS NULL AND visible_at_ms > ?1),
                       SUM(leased_by IS NOT NULL)
                FROM messages GROUP BY queue
                """
            )
            try counts.bind(now, at: 1)
            while try counts.step() {
                let name = counts.text(0)
                result[name] = QueueStats(
                    queue: name,
                    ready: counts.int(1),
                    delayed: counts.int(2),
                    inFlight: counts.int(3)
                )
            }
            let counters = try database.statement("SELECT queue, dead_lettered, dropped FROM queue_counters")
            while try counters.step() {
                let name = counters.text(0)
                var stats = result[name] ?? QueueStats(queue: name)
                stats.deadLettered = counters.int(1)
                stats.dropped = counters.int(2)
                result[name] = stats
            }
            return result
        }
    }

    /// The dead letters that came from `queue`, or that sit in `queue` when it is a dead-letter
    /// queue, oldest first.
    func deadLetters(queue: String) throws(QueuesError) -> [DeadLetter] {
        try database.run { () throws(SQLiteError) in
            let list = try database.statement(
                """
                SELECT id, dead_lettered_from, queue, timestamp_ms, content_type, body_kind, body, deliveries, leased_by
                FROM messages WHERE dead_lettered_from IS NOT NULL AND (dead_lettered_from = ?1 OR queue = ?1)
                ORDER BY seq
                """
            )
            try list.bind(queue, at: 1)
            var letters: [DeadLetter] = []
            while try list.step() {
                let stored = StoredMessage(
                    id: list.text(0),
                    timestampMilliseconds: list.int64(3),
                    contentType: QueueContentType(rawValue: list.text(4)),
                    bodyKind: list.int(5),
                    bodyBytes: list.blob(6),
                    visibleAtMilliseconds: 0
                )
                letters.append(
                    DeadLetter(
                        id: stored.id,
                        sourceQueue: list.text(1),
                        deadLetterQueue: list.text(2),
                        timestampMilliseconds: stored.timestampMilliseconds,
                        contentType: stored.contentType,
                        body: stored.body,
                        deliveries: list.int(7),
                        inFlight: !list.isNull(8)
                    )
                )
            }
            return letters
        }
    }

    /// Moves the dead letters of `queue` (see ``deadLetters(queue:)``) back to the queue they came
    /// from, deliverable at `now` with their attempts starting again at 1. Messages a dead-letter
    /// consumer holds right now are left alone. Returns how many moved.
    func replayDeadLetters(queue: String, now: Int64) throws(QueuesError) -> Int {
        try database.transaction { () throws(SQLiteError) in
            let replay = try database.statement(
                """
                UPDATE messages SET queue = dead_lettered_from, dead_lettered_from = NULL, deliveries = 0,
                    retry_delayed = 0, visible_at_ms = ?2
                WHERE dead_lettered_from IS NOT NULL AND (dead_lettered_from = ?1 OR queue = ?1) AND leased_by IS NULL
                """
            )
            try replay.bind(queue, at: 1)
            try replay.bind(now, at: 2)
            try replay.run()
            return database.changes
        }
    }
}

/// A message as stored: what the producer wrote.
struct StoredMessage: Sendable {
    var id: String
    var timestampMilliseconds: Int64
    var contentType: QueueContentType
    /// 0 JSON (serialized), 1 text (UTF-8), 2 bytes.
    var bodyKind: Int
    var bodyBytes: [UInt8]
    var visibleAtMilliseconds: Int64

    init(
        id: String,
        timestampMilliseconds: Int64,
        contentType: QueueContentType,
        bodyKind: Int,
        bodyBytes: [UInt8],
        visibleAtMilliseconds: Int64
    ) {
        self.id = id
        self.timestampMilliseconds = timestampMilliseconds
        self.contentType = contentType
        self.bodyKind = bodyKind
        self.bodyBytes = bodyBytes
        self.visibleAtMilliseconds = visibleAtMilliseconds
    }

    /// Encodes `body` for storage.
    init(
        id: String,
        timestampMilliseconds: Int64,
        contentType: QueueContentType,
        body: MessageBody,
        visibleAtMilliseconds: Int64
    ) {
        let (kind, bytes) = Self.encode(body)
        self.init(
            id: id,
            timestampMilliseconds: timestampMilliseconds,
            contentType: contentType,
            bodyKind: kind,
            bodyBytes: bytes,
            visibleAtMilliseconds: visibleAtMilliseconds
        )
    }

    static func encode(_ body: MessageBody) -> (kind: Int, bytes: [UInt8]) {
        switch body {
        case .json(let value): (0, JSONSerializer.bytes(value))
        case .text(let text): (1, Array(text.utf8))
        case .bytes(let bytes): (2, bytes)
        }
    }

    /// The body as the producer sent it. A JSON body that no longer parses (a hand-edited file)
    /// comes back as text rather than crashing the consumer.
    var body: MessageBody {
        switch bodyKind {
        case 0: (try? JSONParser.parse(bodyBytes)).map(MessageBody.json) ?? .text(String(decoding: bodyBytes, as: UTF8.self))
        case 1: .text(String(decoding: bodyBytes, as: UTF8.self))
        default: .bytes(bodyBytes)
        }
    }
}

/// A message handed to a consumer, with its row and delivery count.
struct LeasedMessage: Sendable {
    var seq: Int64
    var visibleAtMilliseconds: Int64
    var message: StoredMessage
    /// Deliveries so far, this one included: the consumer's `attempts`.
    var deliveries: Int
}

/// What happens to one message once its batch is done.
enum MessageFate: Sendable, Equatable {
    case acknowledge
    case retry(visibleAt: Int64)
    case deadLetter(to: String)
    case drop
}
