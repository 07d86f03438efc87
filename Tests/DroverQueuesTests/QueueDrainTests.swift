import Drover
import DroverQueues
import Foundation
import Synchronization
import Testing

@Suite("Queue consumer semantics (drain under a frozen clock)")
struct QueueDrainTests {
    @Test("a throwing handler retries the batch: attempts 1 to max_retries + 1, then the dead-letter queue")
    func throwingHandlerRetriesThenDeadLetters() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "emails").send(.text("hello"))
        let recorder = DeliveryRecorder()
        let consumers = [QueueConsumerSettings(queue: "emails", maxRetries: 3, deadLetterQueue: "emails-dlq")]
        try await harness.broker.drain(consumers) { batch in
            recorder.record(batch)
            return true
        }
        let deliveries = recorder.deliveries
        #expect(deliveries.map(\.attempts) == [1, 2, 3, 4])
        #expect(Set(deliveries.map(\.id)).count == 1)
        let source = try await harness.broker.stats(queue: "emails")
        #expect(source.pending == 0)
        #expect(source.deadLettered == 1)
        let dlq = try await harness.broker.stats(queue: "emails-dlq")
        #expect(dlq.pending == 1)
        #expect(harness.logLines.filter { $0.hasPrefix("QUEUE emails 0/1 (") }.count == 4)
        #expect(
            harness.logLines.contains(
                "Moving message \"\(deliveries[0].id)\" on queue \"emails\" to dead letter queue \"emails-dlq\" after 4 failed attempts..."
            )
        )
    }

    @Test(
        "after max_retries retries without a dead-letter queue the message is dropped, with the log line",
        arguments: [0, 1, 3]
    )
    func droppedAfterRetries(maxRetries: Int) async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let recorder = DeliveryRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q", maxRetries: maxRetries)]) { batch in
            recorder.record(batch)
            return true
        }
        #expect(recorder.deliveries.map(\.attempts) == Array(1...(maxRetries + 1)))
        let id = try #require(recorder.deliveries.first?.id)
        let n = maxRetries + 1
        let dropped = harness.logLines.first { $0.contains("Dropped message \"\(id)\" on queue \"q\" after \(n) failed attempt\(n == 1 ? "" : "s")!") }
        // It says why (no retries left, no dead-letter queue) and what to change.
        #expect(dropped?.contains("max_retries = \(maxRetries)") == true)
        #expect(dropped?.contains("set dead_letter_queue (or raise max_retries) under the [[queues.consumers]] entry for \"q\"") == true)
        let stats = try await harness.broker.stats(queue: "q")
        #expect(stats.pending == 0)
        #expect(stats.dropped == 1)
        #expect(stats.deadLettered == 0)
    }

    @Test("an explicitly acked message is never redelivered, even when the handler then throws")
    func explicitAckSurvivesThrow() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").sendBatch((0..<4).map { MessageSendRequest(body: .text("m\($0)")) })
        let recorder = DeliveryRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q", maxRetries: 1)]) { batch in
            recorder.record(batch)
            for message in batch.messages where message.body.text == "m1" || message.body.text == "m3" {
                message.ack()
            }
            return true
        }
        #expect(texts(recorder.deliveries) == ["m0", "m1", "m2", "m3", "m0", "m2"])
        #expect(harness.logLines.filter { $0.hasPrefix("QUEUE q ") }.map { $0.prefix(9) } == ["QUEUE q 2", "QUEUE q 0"])
        #expect(try await harness.broker.stats(queue: "q").dropped == 2)
    }

    @Test("a returning handler acks everything undecided; retry() and retryAll() retry; the first decision wins")
    func perMessageDecisions() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").sendBatch((0..<3).map { MessageSendRequest(body: .text("m\($0)")) })
        let recorder = DeliveryRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q")]) { batch in
            recorder.record(batch)
            for message in batch.messages where message.body.text == "m1" && message.attempts == 1 {
                message.retry()
                message.ack()  // ignored: retry came first
            }
            return false
        }
        #expect(texts(recorder.deliveries) == ["m0", "m1", "m2", "m1"])
        #expect(recorder.deliveries.last?.attempts == 2)
        #expect(harness.logLines.filter { $0.hasPrefix("QUEUE q ") }.map { String($0.prefix(11)) } == ["QUEUE q 2/3", "QUEUE q 1/1"])

        let second = try QueueHarness.make()
        try await second.broker.producer(queue: "q").sendBatch((0..<2).map { MessageSendRequest(body: .text("m\($0)")) })
        let again = DeliveryRecorder()
        try await second.broker.drain([QueueConsumerSettings(queue: "q", maxRetries: 1)]) { batch in
            again.record(batch)
            batch.messages[0].ack()
            batch.retryAll()
            return false
        }
        #expect(texts(again.deliveries) == ["m0", "m1", "m1"])
    }

    @Test("retry delays move the frozen clock during a drain; retry_delay is the default delay")
    func retryDelaysAdvanceTheFrozenClock() async throws {
        let harness = try QueueHarness.make()
        let start = harness.clock.now()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let seen = DeliveryRecorder()
        let times = TimesRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q", maxRetries: 2, retryDelay: 30)]) { batch in
            seen.record(batch)
            times.append(harness.clock.now().timeIntervalSince(start))
            if batch.messages[0].attempts == 2 { batch.messages[0].retry(delaySeconds: 100) }
            if batch.messages[0].attempts == 3 { return false }
            return true
        }
        #expect(seen.deliveries.map(\.attempts) == [1, 2, 3])
        #expect(times.values == [0, 30, 130])
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
    }

    @Test("a message sent with a delay is not deliverable until the clock passes it; drain does not move the clock for it")
    func sendDelayNeedsAdvance() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("later"), delaySeconds: 90)
        let recorder = DeliveryRecorder()
        let consumers = [QueueConsumerSettings(queue: "q")]
        try await harness.broker.drain(consumers) {
            recorder.record($0)
            return false
        }
        #expect(recorder.deliveries.isEmpty)
        #expect(try await harness.broker.stats(queue: "q") == QueueStats(queue: "q", delayed: 1))
        harness.clock.advance(by: 89)
        try await harness.broker.drain(consumers) {
            recorder.record($0)
            return false
        }
        #expect(recorder.deliveries.isEmpty)
        harness.clock.advance(by: 1)
        try await harness.broker.drain(consumers) {
            recorder.record($0)
            return false
        }
        #expect(texts(recorder.deliveries) == ["later"])
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
    }

    @Test("drain delivers in batches of max_batch_size, oldest first")
    func drainBatchSizes() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        try await queue.sendBatch((0..<100).map { MessageSendRequest(body: .text("m\($0)")) })
        try await queue.sendBatch((100..<125).map { MessageSendRequest(body: .text("m\($0)")) })
        let recorder = DeliveryRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q", maxBatchSize: 50)]) {
            recorder.record($0)
            return false
        }
        #expect(recorder.batchSizes("q") == [50, 50, 25])
        #expect(texts(recorder.deliveries) == (0..<125).map { "m\($0)" })
    }

    @Test("a dead-letter queue is an ordinary queue: its consumer gets the message with its id and timestamp, attempts from 1")
    func deadLetterQueueConsumer() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        harness.clock.advance(by: 5)
        let recorder = DeliveryRecorder()
        let consumers = [
            QueueConsumerSettings(queue: "q", maxRetries: 1, deadLetterQueue: "dlq"),
            QueueConsumerSettings(queue: "dlq"),
        ]
        try await harness.broker.drain(consumers) { batch in
            recorder.record(batch)
            return QueueHandlerOutcome(thrown: batch.queue == "q" ? "boom" : nil)
        }
        let deliveries = recorder.deliveries
        #expect(deliveries.map(\.queue) == ["q", "q", "dlq"])
        #expect(deliveries.map(\.attempts) == [1, 2, 1])
        #expect(Set(deliveries.map(\.id)).count == 1)
        #expect(Set(deliveries.map(\.timestamp)).count == 1)
        #expect(try await harness.broker.stats(queue: "q").deadLettered == 1)
        #expect(try await harness.broker.stats(queue: "dlq").pending == 0)
    }

    @Test("a dead letter keeps why it last failed and how often it was delivered, listed and peeked")
    func deadLetterFailureKept() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let consumers = [QueueConsumerSettings(queue: "q", maxRetries: 2, deadLetterQueue: "dlq")]
        let failures = Mutex(["the first", "the second", "the third"])
        try await harness.broker.drain(consumers, queues: ["q"]) { _ in
            QueueHandlerOutcome(thrown: failures.withLock { $0.removeFirst() })
        }
        let letters = try await harness.broker.deadLetters(queue: "dlq")
        #expect(letters.count == 1)
        #expect(letters.first?.failedDeliveries == 3)
        #expect(letters.first?.lastError == "the queue handler threw: the third")
        let peeked = try await harness.broker.messages(queue: "dlq")
        #expect(peeked.first?.lastError == "the queue handler threw: the third")
        #expect(peeked.first?.deliveries == 0)
        #expect(peeked.first?.deadLetteredFrom == "q")
    }

    @Test("drain of named queues leaves the others pending")
    func drainSelectedQueues() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "a").send(.text("a"))
        try await harness.broker.producer(queue: "b").send(.text("b"))
        let recorder = DeliveryRecorder()
        let consumers = [QueueConsumerSettings(queue: "a"), QueueConsumerSettings(queue: "b")]
        try await harness.broker.drain(consumers, queues: ["b"]) {
            recorder.record($0)
            return false
        }
        #expect(texts(recorder.deliveries) == ["b"])
        #expect(try await harness.broker.stats(including: ["a", "b", "c"]).map(\.pending) == [1, 0, 0])
    }

    @Test("messages a handler sends during a drain are delivered by the same drain")
    func chainedSends() async throws {
        let harness = try QueueHarness.make()
        let first = harness.broker.producer(queue: "first")
        let second = harness.broker.producer(queue: "second")
        try await first.send(.text("go"))
        let recorder = DeliveryRecorder()
        let consumers = [QueueConsumerSettings(queue: "first"), QueueConsumerSettings(queue: "second")]
        try await harness.broker.drain(consumers) { batch in
            recorder.record(batch)
            if batch.messages[0].body.text == "go" { try? await second.send(.text("next")) }
            if batch.messages[0].body.text == "next" { try? await first.send(.text("again")) }
            return false
        }
        #expect(texts(recorder.deliveries) == ["go", "next", "again"])
    }

    @Test("dead letters are listed by their source queue and replayed back to it with attempts from 1")
    func deadLetterListAndReplay() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").sendBatch([MessageSendRequest(body: .text("a")), MessageSendRequest(body: .text("b"))])
        let failing = [QueueConsumerSettings(queue: "q", maxRetries: 0, deadLetterQueue: "q-dlq")]
        try await harness.broker.drain(failing) { _ in true }
        let letters = try await harness.broker.deadLetters(queue: "q")
        #expect(letters.map(\.body) == [.text("a"), .text("b")])
        #expect(letters.allSatisfy { $0.sourceQueue == "q" && $0.deadLetterQueue == "q-dlq" && !$0.inFlight })
        #expect(try await harness.broker.deadLetters(queue: "q-dlq") == letters)
        #expect(try await harness.broker.stats(including: ["q"]).map(\.queue) == ["q", "q-dlq"])

        #expect(try await harness.broker.replayDeadLetters(queue: "q") == 2)
        #expect(try await harness.broker.deadLetters(queue: "q").isEmpty)
        #expect(try await harness.broker.stats(queue: "q-dlq").pending == 0)
        let recorder = DeliveryRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q")]) {
            recorder.record($0)
            return false
        }
        #expect(recorder.deliveries.map(\.id) == letters.map(\.id))
        #expect(recorder.deliveries.map(\.attempts) == [1, 1])
    }
}

/// Collects clock readings from inside handlers.
final class TimesRecorder: Sendable {
    private let stored = Mutex<[TimeInterval]>([])
    func append(_ value: TimeInterval) { stored.withLock { $0.append(value) } }
    var values: [TimeInterval] { stored.withLock { $0 } }
}
