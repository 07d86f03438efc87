import Drover
import DroverSQLite
import Foundation

/// The durable store of every queue under one state directory: `<state>/queues/queues.sqlite`.
///
/// One SQLite database in WAL mode with `synchronous = NORMAL`: a committed transaction is in the
/// write-ahead log before `COMMIT` returns, so it survives the process being killed (kill -9); only
/// a power loss may roll back the last transactions ("WAL mode ... synchronous=NORMAL ... is
/// durable across application crashes", https://www.sqlite.org/pragma.html#pragma_synchronous).
/// Several processes share the file (the dev server and `drover queues ...`): SQLite's locking
/// serialises writers, and a busy timeout makes each wait its turn.
///
/// A message is one row of `messages`. Delivering a batch leases it: one row of `leases` records
/// a random token naming the batch, the delivering broker's ``QueueInstance`` id, and a deadline
/// (the visibility timeout); each message takes the token and counts one more delivery. The batch's outcome then deletes the row (ack), makes it visible again
/// later (retry), moves it to another queue (dead letter) or deletes it (dropped) — but only while
/// the row still holds the batch's token, so the late outcome of a batch whose lease was taken over
/// cannot touch the message's next delivery. A lease ends without an outcome in two ways:
/// - its instance is gone (its lock file is missing or unlocked, see ``QueueInstance``): released
///   at the next consumer start, or at the next poll of a consumer of the same queue: the message
///   is deliverable at once, the interrupted delivery counted;
/// - its deadline passes (the instance is alive but never settles): ``QueueBroker`` counts the
///   delivery as a failed attempt and retries or dead-letters it by the consumer's rules.
/// Its holder may also release it by token (a batch cut off by shutdown, a failed settle).
actor QueueStore {
    /// The connection; used only on this actor's executor (the extensions' statements too).
    let database: QueueDatabase
    private let executor: DispatchQueueExecutor
    /// The lease owner written into rows this store delivers, and its proof of life.
    let instance: QueueInstance

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// This open's instance id (32 hex characters), the `owner` of the leases it takes.
    nonisolated var instanceID: String { instance.id }

    /// Opens or creates the store in `directory` (created when absent), migrating a store of the
    /// previous format, and registers a new instance in `directory/instances/`.
    init(directory: String) throws(QueuesError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]  // state: its owner's only
            )
        } catch {
            throw .storage("cannot create queue directory \(directory): \(error.localizedDescription)")
        }
        let database = try QueueDatabase(path: directory + "/queues.sqlite")
        try database.run { () throws(SQLiteError) in
            try database.execute("PRAGMA busy_timeout = 10000")
            try database.execute("PRAGMA journal_mode = WAL")
            try database.execute("PRAGMA synchronous = NORMAL")
        }
        try Self.prepareSchema(database)
        self.instance = try QueueInstance(queuesDirectory: directory)
        self.database = database
        self.executor = DispatchQueueExecutor(label: "drover.queues.store")
    }

    // MARK: Producing

    /// Appends `messages` to `queue` in one transaction: all or none are stored.
    func insert(queue: String, _ messages: [StoredMessage]) throws(QueuesError) {
        try database.transaction { () throws(SQLiteError) in
            let insert = try database.statement(
                """
                INSERT INTO messages(queue, id, timestamp_ms, content_type, body_kind, body, visible_at_ms, traceparent)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
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
                if let traceparent = message.traceparent { try insert.bind(traceparent, at: 8) } else { try insert.bindNull(at: 8) }
                try insert.run()
            }
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
                       SUM(lease_token IS NULL AND visible_at_ms <= ?1),
                       SUM(lease_token IS NULL AND visible_at_ms > ?1),
                       SUM(lease_token IS NOT NULL)
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
                SELECT id, dead_lettered_from, queue, timestamp_ms, content_type, body_kind, body, deliveries, lease_token,
                    traceparent, last_error, failed_deliveries
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
                    visibleAtMilliseconds: 0,
                    traceparent: list.isNull(9) ? nil : list.text(9)
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
                        inFlight: !list.isNull(8),
                        traceparent: stored.traceparent,
                        lastError: list.isNull(10) ? nil : list.text(10),
                        failedDeliveries: list.isNull(11) ? nil : list.int(11)
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
                WHERE dead_lettered_from IS NOT NULL AND (dead_lettered_from = ?1 OR queue = ?1) AND lease_token IS NULL
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
    /// The `traceparent` of the invocation that sent it (`traceparent` column); `nil` when it was
    /// sent outside one, or stored before the column existed.
    var traceparent: String?

    init(
        id: String,
        timestampMilliseconds: Int64,
        contentType: QueueContentType,
        bodyKind: Int,
        bodyBytes: [UInt8],
        visibleAtMilliseconds: Int64,
        traceparent: String? = nil
    ) {
        self.id = id
        self.timestampMilliseconds = timestampMilliseconds
        self.contentType = contentType
        self.bodyKind = bodyKind
        self.bodyBytes = bodyBytes
        self.visibleAtMilliseconds = visibleAtMilliseconds
        self.traceparent = traceparent
    }

    /// Encodes `body` for storage.
    init(
        id: String,
        timestampMilliseconds: Int64,
        contentType: QueueContentType,
        body: MessageBody,
        visibleAtMilliseconds: Int64,
        traceparent: String? = nil
    ) {
        let (kind, bytes) = Self.encode(body)
        self.init(
            id: id,
            timestampMilliseconds: timestampMilliseconds,
            contentType: contentType,
            bodyKind: kind,
            bodyBytes: bytes,
            visibleAtMilliseconds: visibleAtMilliseconds,
            traceparent: traceparent
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
