import Drover
import DroverTestSupport
import Foundation
import Synchronization
import Testing

@testable import DroverQueues

/// Leases belong to broker instances and end at a deadline: a live but stuck instance, a gone
/// instance, a late settle, the old process-id format, and shutdown's grace period.
@Suite("Queue leases")
struct QueueLeaseTests {
    /// The default visibility timeout in seconds (the platform's 15-minute consumer limit).
    static let timeout: TimeInterval = 15 * 60

    @Test("a lease held by a live instance that never settles is delivered again once the clock passes its deadline")
    func liveStuckInstanceExpires() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        // Another broker (its instance file locked: alive) leases the message and never settles.
        let stuck = try QueueBroker(directory: harness.directory.path + "/queues", clock: harness.clock, logger: .disabled)
        let now = harness.clock.nowMilliseconds()
        let lease = try await stuck.store.lease(queue: "q", now: now, deadline: now + stuck.visibilityTimeoutMilliseconds, limit: 10)
        try #require(lease.messages.count == 1)

        let recorder = DeliveryRecorder()
        let consumers = [QueueConsumerSettings(queue: "q")]
        let deliver: QueueBroker.Deliver = {
            recorder.record($0)
            return false
        }
        try await harness.broker.drain(consumers, deliver: deliver)
        #expect(recorder.deliveries.isEmpty, "a live instance's lease was taken before its deadline")
        harness.clock.advance(by: Self.timeout - 1)
        try await harness.broker.drain(consumers, deliver: deliver)
        #expect(recorder.deliveries.isEmpty)
        #expect(try await harness.broker.stats(queue: "q").inFlight == 1)

        harness.clock.advance(by: 1)
        try await harness.broker.drain(consumers, deliver: deliver)
        #expect(texts(recorder.deliveries) == ["x"])
        #expect(recorder.deliveries.map(\.attempts) == [2])
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
        #expect(harness.logLines.contains { $0.hasPrefix("Queue \"q\": 1 message still unsettled at the lease deadline") })
        withExtendedLifetime(stuck) {}
    }

    @Test("the real-time consumer gives up another instance's expired lease while it polls")
    func consumerLoopReclaimsExpiredLease() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let stuck = try QueueBroker(directory: harness.directory.path + "/queues", clock: harness.clock, logger: .disabled)
        let now = harness.clock.nowMilliseconds()
        _ = try await stuck.store.lease(queue: "q", now: now, deadline: now + stuck.visibilityTimeoutMilliseconds, limit: 10)

        let recorder = DeliveryRecorder()
        try await harness.broker.startConsumers([QueueConsumerSettings(queue: "q", maxBatchTimeout: .zero)]) {
            recorder.record($0)
            return false
        }
        harness.clock.advance(by: Self.timeout)
        try await withHangGuard("the expired message to be delivered again") { await recorder.waitFor(1) }
        await harness.broker.shutdown()
        #expect(recorder.deliveries.map(\.attempts) == [2])
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
        withExtendedLifetime(stuck) {}
    }

    @Test(
        "a handler still running at its lease deadline is given up: a failed attempt, its late outcome ignored",
        arguments: [false, true]
    )
    func runningHandlerGivenUpAtDeadline(realTime: Bool) async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let recorder = DeliveryRecorder()
        let gate = Gate()
        let lateReturned = Gate()
        let settings = [
            QueueConsumerSettings(queue: "q", maxBatchSize: 1, maxBatchTimeout: .zero, maxRetries: 1, deadLetterQueue: "dlq")
        ]
        let deliver: QueueBroker.Deliver = { batch in
            recorder.record(batch)
            if batch.messages[0].attempts == 1 {
                await gate.wait()  // hangs past the deadline; then acks, too late
                lateReturned.open()
                return false
            }
            return true  // the second delivery fails: its last attempt, so the message is dead-lettered
        }
        let drain: Task<Void, any Error>?
        if realTime {
            try await harness.broker.startConsumers(settings, deliver: deliver)
            drain = nil
        } else {
            drain = Task { try await harness.broker.drain(settings, deliver: deliver) }
        }
        try await withHangGuard("the first delivery") { await recorder.waitFor(1) }
        harness.clock.advance(by: Self.timeout)
        try await withHangGuard("the delivery after the deadline") { await recorder.waitFor(2) }
        if let drain { try await withHangGuard("the drain") { try await drain.value } }
        #expect(recorder.deliveries.map(\.attempts) == [1, 2])
        #expect(harness.logLines.contains { $0.hasPrefix("Queue \"q\": 1 message still unsettled at the lease deadline") })

        gate.open()
        try await withHangGuard("the late handler") { await lateReturned.wait() }
        await harness.broker.shutdown()
        #expect(try await harness.broker.stats(queue: "q") == QueueStats(queue: "q", deadLettered: 1))
        #expect(try await harness.broker.stats(queue: "dlq").pending == 1, "the late ack of the given-up batch was applied")
    }

    @Test("a settle or release with a stale lease token changes nothing")
    func staleTokenChangesNothing() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let store = harness.broker.store
        var now = harness.clock.nowMilliseconds()
        let first = try await store.lease(queue: "q", now: now, deadline: now + 1_000, limit: 1)
        let seq = try #require(first.messages.first?.seq)

        harness.clock.advance(by: 2)
        try await harness.broker.reclaimExpiredLeases(QueueConsumerSettings(queue: "q"))  // failed attempt 1 of 4
        now = harness.clock.nowMilliseconds()
        let second = try await store.lease(queue: "q", now: now, deadline: now + 60_000, limit: 1)
        #expect(second.messages.map(\.seq) == [seq])
        #expect(second.messages.first?.deliveries == 2)
        #expect(second.token != first.token)

        #expect(try await store.settle(queue: "q", token: first.token, [(seq, .acknowledge)], now: now) == 0)
        #expect(try await store.settle(queue: "q", token: first.token, [(seq, .drop)], now: now) == 0)
        #expect(try await store.settle(queue: "q", token: first.token, [(seq, .deadLetter(to: "dlq"))], now: now) == 0)
        #expect(try await store.settle(queue: "q", token: first.token, [(seq, .retry(visibleAt: now))], now: now) == 0)
        #expect(try await store.release(token: first.token, [seq]) == 0)
        #expect(try await harness.broker.stats(queue: "q") == QueueStats(queue: "q", inFlight: 1))
        #expect(try await harness.broker.stats(queue: "dlq").pending == 0)

        #expect(try await store.settle(queue: "q", token: second.token, [(seq, .acknowledge)], now: now) == 1)
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
    }

    @Test(
        "leases of an instance that is gone (lock file removed, or left unlocked as after kill -9) are released at once on the next start",
        arguments: [false, true]
    )
    func goneInstanceReleasedAtStart(fileLeftBehind: Bool) async throws {
        let harness = try QueueHarness.make()
        let queues = harness.directory.path + "/queues"
        try await harness.broker.producer(queue: "q").sendBatch((0..<3).map { MessageSendRequest(body: .text("m\($0)")) })
        let goneID: String
        do {
            let gone = try QueueBroker(directory: queues, clock: harness.clock, logger: .disabled)
            let now = harness.clock.nowMilliseconds()
            let lease = try await gone.store.lease(queue: "q", now: now, deadline: now + gone.visibilityTimeoutMilliseconds, limit: 10)
            try #require(lease.messages.count == 3)
            goneID = gone.store.instanceID
            #expect(FileManager.default.fileExists(atPath: queues + "/instances/" + goneID))
        }
        // The broker is gone: its file removed and its lock dropped.
        #expect(!FileManager.default.fileExists(atPath: queues + "/instances/" + goneID))
        if fileLeftBehind {
            #expect(FileManager.default.createFile(atPath: queues + "/instances/" + goneID, contents: nil))
        }
        #expect(try await harness.broker.stats(queue: "q").inFlight == 3)

        let recorder = DeliveryRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q")]) {  // no clock move
            recorder.record($0)
            return false
        }
        #expect(texts(recorder.deliveries) == ["m0", "m1", "m2"])
        #expect(recorder.deliveries.allSatisfy { $0.attempts == 2 })
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
        #expect(!FileManager.default.fileExists(atPath: queues + "/instances/" + goneID))
        #expect(try FileManager.default.contentsOfDirectory(atPath: queues + "/instances") == [harness.broker.store.instanceID])
    }

    @Test("a store of the previous format (process-id leases, no deadline) is migrated in place, keeping every message")
    func migratesProcessIDLeases() async throws {
        let directory = TemporaryDirectory()
        let queues = directory.path + "/queues"
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        try FileManager.default.createDirectory(atPath: queues, withIntermediateDirectories: true)
        do {
            let old = try QueueDatabase(path: queues + "/queues.sqlite")
            try old.execute(Self.previousFormat)
        }

        let broker = try QueueBroker(directory: queues, clock: clock, logger: .disabled)
        let stats = try await broker.stats()
        #expect(stats == [
            QueueStats(queue: "q", ready: 3, delayed: 1, deadLettered: 1),
            QueueStats(queue: "q-dlq", ready: 1),
        ])
        let letters = try await broker.deadLetters(queue: "q")
        #expect(letters.map(\.id) == ["e"])
        #expect(letters.first?.body == .text("e"))

        let recorder = DeliveryRecorder()
        let deliver: QueueBroker.Deliver = {
            recorder.record($0)
            return false
        }
        try await broker.drain([QueueConsumerSettings(queue: "q")], deliver: deliver)
        // "c" was leased by pid 1 and "d" by this very process: both alive, neither holds anything now.
        #expect(recorder.deliveries.map(\.id) == ["a", "c", "d"])
        #expect(recorder.deliveries.map(\.attempts) == [1, 2, 2])
        #expect(recorder.deliveries.map(\.timestamp) == Array(repeating: Date(timeIntervalSince1970: 1_767_225_500), count: 3))
        clock.advance(by: 60)
        try await broker.drain([QueueConsumerSettings(queue: "q")], deliver: deliver)
        #expect(texts(recorder.deliveries) == ["a", "c", "d", "b"])

        // Opening again finds the current format: nothing to migrate, nothing lost.
        let again = try QueueBroker(directory: queues, clock: clock, logger: .disabled)
        #expect(try await again.stats(queue: "q-dlq").ready == 1)
        #expect(try await again.stats(queue: "q") == QueueStats(queue: "q", deadLettered: 1))
    }

    /// The store as the previous format wrote it: `leased_by` held the consumer's process id.
    static let previousFormat = """
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
            leased_by INTEGER,
            dead_lettered_from TEXT
        );
        CREATE INDEX messages_ready ON messages(queue, visible_at_ms, seq) WHERE leased_by IS NULL;
        CREATE INDEX messages_dead ON messages(dead_lettered_from) WHERE dead_lettered_from IS NOT NULL;
        CREATE TABLE queue_counters(
            queue TEXT PRIMARY KEY,
            dead_lettered INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        INSERT INTO messages(seq, queue, id, timestamp_ms, content_type, body_kind, body, visible_at_ms, deliveries, leased_by, dead_lettered_from)
        VALUES
            (1, 'q', 'a', 1767225500000, 'text', 1, X'61', 1767225500000, 0, NULL, NULL),
            (2, 'q', 'b', 1767225500000, 'text', 1, X'62', 1767225660000, 0, NULL, NULL),
            (3, 'q', 'c', 1767225500000, 'text', 1, X'63', 1767225500000, 1, 1, NULL),
            (4, 'q', 'd', 1767225500000, 'text', 1, X'64', 1767225500000, 1, \(getpid()), NULL),
            (5, 'q-dlq', 'e', 1767225500000, 'text', 1, X'65', 1767225500000, 0, NULL, 'q');
        INSERT INTO queue_counters(queue, dead_lettered, dropped) VALUES ('q', 1, 0);
        """

    @Test("a visibility timeout that is not positive is refused")
    func visibilityTimeoutMustBePositive() throws {
        let directory = TemporaryDirectory()
        #expect(throws: QueuesError.self) {
            try QueueBroker(directory: directory.path + "/queues", clock: SystemWallClock(), logger: .disabled, visibilityTimeout: .zero)
        }
    }

    @Test("shutdown with a grace period cuts off a handler that never returns; the next start delivers its message again")
    func shutdownGracePeriodCutsOffStuckBatch() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let recorder = DeliveryRecorder()
        let gate = Gate()
        try await harness.broker.startConsumers([QueueConsumerSettings(queue: "q", maxBatchTimeout: .zero)]) { batch in
            recorder.record(batch)
            await gate.wait()  // never returns while the test runs; ignores cancellation
            return false
        }
        try await withHangGuard("the first delivery") { await recorder.waitFor(1) }
        try await withHangGuard("shutdown with a 100 ms grace period") {
            await harness.broker.shutdown(gracePeriod: .milliseconds(100))
        }
        #expect(
            harness.logLines.contains {
                $0.hasPrefix("Shutdown cut off 1 message on queue \"q\" still in the handler after the ")
                    && $0.hasSuffix("grace period; they will be delivered again on the next start")
            }
        )
        #expect(try await harness.broker.stats(queue: "q") == QueueStats(queue: "q", ready: 1))

        let next = try QueueBroker(directory: harness.directory.path + "/queues", clock: harness.clock, logger: .disabled)
        let again = DeliveryRecorder()
        try await next.drain([QueueConsumerSettings(queue: "q")]) {
            again.record($0)
            return false
        }
        #expect(texts(again.deliveries) == ["x"])
        #expect(again.deliveries.map(\.attempts) == [2], "the cut-off delivery counts as an attempt")
        #expect(try await next.stats(queue: "q").pending == 0)
        gate.open()
    }
}
