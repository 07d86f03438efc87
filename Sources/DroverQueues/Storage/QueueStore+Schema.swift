import DroverSQLite

/// The store's tables, and the in-place migrations of stores written before leases had owners
/// and deadlines, and before messages kept their trace.
extension QueueStore {
    /// The `messages` table under `name`: one row per message not yet acknowledged, dropped or
    /// replayed away. `lease_token` is set while the message is in a batch's hands: it names the
    /// batch's row in `leases`, and settling touches only messages still holding it.
    /// `traceparent` is the W3C `traceparent` of the invocation that sent the message (`NULL` when
    /// none); it moves with the row through retries and dead-lettering.
    static func messagesTable(named name: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(name)(
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
            lease_token INTEGER,
            dead_lettered_from TEXT,
            traceparent TEXT,
            last_error TEXT,
            failed_deliveries INTEGER
        );
        """
    }

    /// Every table and index, created when absent.
    ///
    /// A lease is one row of `leases` per delivered batch: its random token, the ``QueueInstance``
    /// id of the broker that delivered it, the queue, the deadline (wall clock, milliseconds since
    /// the epoch) and the batch's `seq`s (little-endian 64-bit integers). Keeping the owner and
    /// deadline per batch rather than per message writes one row per batch, and lets finding
    /// expired or abandoned leases scan this small table instead of an index over every message
    /// that would be updated twice per delivery.
    ///
    /// `queue_settings` holds what the dashboard changes about a queue: whether its delivery is
    /// paused. A store made before it gets the table when next opened; a binary of the previous
    /// format ignores it (and delivers a paused queue).
    static let schema = messagesTable(named: "messages") + """
        CREATE INDEX IF NOT EXISTS messages_ready ON messages(queue, visible_at_ms, seq) WHERE lease_token IS NULL;
        CREATE INDEX IF NOT EXISTS messages_dead ON messages(dead_lettered_from) WHERE dead_lettered_from IS NOT NULL;
        CREATE TABLE IF NOT EXISTS leases(
            token INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            queue TEXT NOT NULL,
            deadline_ms INTEGER NOT NULL,
            seqs BLOB NOT NULL
        );
        CREATE INDEX IF NOT EXISTS leases_deadline ON leases(queue, deadline_ms);
        CREATE TABLE IF NOT EXISTS queue_counters(
            queue TEXT PRIMARY KEY,
            dead_lettered INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS queue_settings(
            queue TEXT PRIMARY KEY,
            paused INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        """

    /// Creates the schema, migrating a store of a previous format first; one transaction, so
    /// two processes opening an old store at once migrate it once.
    /// - Throws: ``QueuesError/storage(_:)``; then nothing changed.
    static func prepareSchema(_ database: QueueDatabase) throws(QueuesError) {
        try database.transaction { () throws(SQLiteError) in
            if try hasProcessIDLeases(database) { try migrateProcessIDLeases(database) }
            try database.execute(schema)
            if try !hasColumn("traceparent", database) { try addTraceparentColumn(database) }
            // Why a message last failed, and the deliveries a dead letter had: columns added to a
            // store made before them, which its rows read as NULL (no failure recorded).
            if try !hasColumn("last_error", database) { try database.execute("ALTER TABLE messages ADD COLUMN last_error TEXT") }
            if try !hasColumn("failed_deliveries", database) { try database.execute("ALTER TABLE messages ADD COLUMN failed_deliveries INTEGER") }
        }
    }

    private static func hasColumn(_ name: String, _ database: QueueDatabase) throws(SQLiteError) -> Bool {
        let column = try database.statement("SELECT 1 FROM pragma_table_info('messages') WHERE name = ?1")
        defer { column.reset() }
        try column.bind(name, at: 1)
        return try column.step()
    }

    /// Adds the nullable `traceparent` column to a store written before messages kept their trace.
    /// `ADD COLUMN` changes only the schema (https://www.sqlite.org/lang_altertable.html#altertabaddcol):
    /// no row is rewritten, existing messages read it as `NULL`, and leases, delivery counts and
    /// dead-letter origins are untouched. A binary of the previous format can still open the store:
    /// it names its columns and never reads this one (its messages are then sent without a trace).
    private static func addTraceparentColumn(_ database: QueueDatabase) throws(SQLiteError) {
        try database.execute("ALTER TABLE messages ADD COLUMN traceparent TEXT")
    }

    /// Whether `messages` is of the previous format: one `leased_by INTEGER` column holding the
    /// process id of the consumer, no deadline.
    private static func hasProcessIDLeases(_ database: QueueDatabase) throws(SQLiteError) -> Bool {
        let column = try database.statement("SELECT 1 FROM pragma_table_info('messages') WHERE name = 'leased_by'")
        defer { column.reset() }
        return try column.step()
    }

    /// Rebuilds `messages` in the current format, keeping every row, its `seq`, attempts and dead
    /// letter origin: SQLite's "create new table, copy, drop, rename" recipe
    /// (https://www.sqlite.org/lang_altertable.html#otheralter), which also drops the old indexes
    /// that name `leased_by`.
    ///
    /// A row leased by a process id is taken as the expired lease of a gone instance: it comes
    /// out unleased, deliverable when it was, with its delivery count kept (the interrupted
    /// delivery counts, as after a crash). A process id proves nothing about who is alive, and a
    /// consumer of the previous format still running on this store could not settle in the new
    /// format anyway.
    private static func migrateProcessIDLeases(_ database: QueueDatabase) throws(SQLiteError) {
        try database.execute("DROP TABLE IF EXISTS messages_migrating")
        try database.execute(messagesTable(named: "messages_migrating"))
        try database.execute(
            """
            INSERT INTO messages_migrating(seq, queue, id, timestamp_ms, content_type, body_kind, body, visible_at_ms,
                retry_delayed, deliveries, dead_lettered_from)
            SELECT seq, queue, id, timestamp_ms, content_type, body_kind, body, visible_at_ms,
                retry_delayed, deliveries, dead_lettered_from FROM messages;
            DROP TABLE messages;
            ALTER TABLE messages_migrating RENAME TO messages;
            """
        )
    }
}
