import Drover
import Foundation
import Synchronization
import Testing

@testable import DroverQueues

/// Messages keep the trace of the invocation that sent them: stored with the message, read back
/// by the consumer through retries and dead-lettering; each batch runs under a trace of its own.
@Suite("Queue messages keep their trace")
struct QueueTraceTests {
    static let sender = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!

    @Test("a message sent under a trace carries its traceparent through retries into the dead-letter queue")
    func traceSurvivesRetriesAndDeadLettering() async throws {
        let harness = try QueueHarness.make()
        let producer = harness.broker.producer(queue: "emails")
        try await TraceContext.$current.withValue(Self.sender) {
            try await producer.send(.text("traced"))
            try await producer.sendBatch([MessageSendRequest(body: .text("batched"))])
        }
        try await producer.send(.text("untraced"))

        let seen = SeenTraces()
        let consumers = [
            QueueConsumerSettings(queue: "emails", maxRetries: 1, deadLetterQueue: "emails-dlq")
        ]
        try await harness.broker.drain(consumers) { batch in
            seen.record(batch)
            return true
        }
        let deliveries = seen.all
        #expect(deliveries.count == 6, "three messages, two deliveries each")
        for delivery in deliveries {
            #expect(delivery.trace == (delivery.body == "untraced" ? nil : Self.sender), "\(delivery)")
            #expect(delivery.batchTrace != nil)
            #expect(delivery.batchTrace?.traceID != Self.sender.traceID, "a batch has a trace of its own")
            #expect(delivery.current == delivery.batchTrace, "the handler runs under the batch's trace")
        }

        let letters = try await harness.broker.deadLetters(queue: "emails")
        #expect(letters.map(\.traceparent).sorted { ($0 ?? "") < ($1 ?? "") } == [nil, Self.sender.traceparent, Self.sender.traceparent])
        try await harness.broker.drain([QueueConsumerSettings(queue: "emails-dlq")]) { batch in
            seen.record(batch)
            return false
        }
        let dead = seen.all.dropFirst(6)
        #expect(dead.count == 3)
        #expect(dead.filter { $0.trace == Self.sender }.count == 2, "dead letters keep their trace")

        // The batch's own log lines carry the batch's trace.
        let queueLines = harness.logs.all.filter { $0.message.hasPrefix("QUEUE emails ") }
        #expect(queueLines.count == 2)
        #expect(queueLines.allSatisfy { $0.metadata["trace_id"] != nil && $0.metadata["trace_id"] != Self.sender.traceID })
    }

    @Test("a store written before messages kept their trace gains the column, keeping every message")
    func migratesAStoreWithoutTheTraceColumn() async throws {
        let directory = TemporaryDirectory()
        let queues = directory.path + "/queues"
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        try FileManager.default.createDirectory(atPath: queues, withIntermediateDirectories: true)
        do {
            let old = try QueueDatabase(path: queues + "/queues.sqlite")
            try old.execute(Self.formatWithoutTrace)
        }

        let broker = try QueueBroker(directory: queues, clock: clock, logger: .disabled)
        #expect(
            try await broker.stats() == [
                QueueStats(queue: "q", ready: 1, deadLettered: 1),
                QueueStats(queue: "q-dlq", ready: 1),
            ]
        )
        #expect(try await broker.deadLetters(queue: "q").map(\.traceparent) == [nil])
        try await TraceContext.$current.withValue(Self.sender) {
            try await broker.producer(queue: "q").send(.text("new"))
        }
        let seen = SeenTraces()
        try await broker.drain([QueueConsumerSettings(queue: "q")]) { batch in
            seen.record(batch)
            return false
        }
        #expect(seen.all.map(\.body) == ["old", "new"])
        #expect(seen.all.map(\.attempts) == [1, 1])
        #expect(seen.all.map(\.trace) == [nil, Self.sender])

        // Opening again finds the column: nothing to migrate, nothing lost.
        let again = try QueueBroker(directory: queues, clock: clock, logger: .disabled)
        #expect(try await again.stats(queue: "q-dlq").ready == 1)
    }

    /// The store as the format before `traceparent` wrote it (instances and leases, no trace).
    static let formatWithoutTrace = """
        CREATE TABLE messages(
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
            dead_lettered_from TEXT
        );
        CREATE INDEX messages_ready ON messages(queue, visible_at_ms, seq) WHERE lease_token IS NULL;
        CREATE INDEX messages_dead ON messages(dead_lettered_from) WHERE dead_lettered_from IS NOT NULL;
        CREATE TABLE leases(
            token INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            queue TEXT NOT NULL,
            deadline_ms INTEGER NOT NULL,
            seqs BLOB NOT NULL
        );
        CREATE INDEX leases_deadline ON leases(queue, deadline_ms);
        CREATE TABLE queue_counters(
            queue TEXT PRIMARY KEY,
            dead_lettered INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        INSERT INTO messages(seq, queue, id, timestamp_ms, content_type, body_kind, body, visible_at_ms, deliveries, dead_lettered_from)
        VALUES
            (1, 'q', 'a', 1767225500000, 'text', 1, X'6F6C64', 1767225500000, 0, NULL),
            (2, 'q-dlq', 'e', 1767225500000, 'text', 1, X'65', 1767225500000, 0, 'q');
        INSERT INTO queue_counters(queue, dead_lettered, dropped) VALUES ('q', 1, 0);
        """
}

/// What each delivered message showed its consumer: its own trace, the batch's, and the current one.
private final class SeenTraces: Sendable {
    struct Seen: Sendable, CustomStringConvertible {
        var body: String
        var attempts: Int
        var trace: TraceContext?
        var batchTrace: TraceContext?
        var current: TraceContext?
        var description: String { "\(body) attempt \(attempts) trace \(trace?.description ?? "none")" }
    }

    private let seen = Mutex<[Seen]>([])

    func record(_ batch: MessageBatch) {
        let current = TraceContext.current
        seen.withLock { all in
            for message in batch.messages {
                all.append(
                    Seen(body: message.body.text ?? "", attempts: message.attempts, trace: message.trace, batchTrace: batch.trace, current: current)
                )
            }
        }
    }

    var all: [Seen] { seen.withLock { $0 } }
}
