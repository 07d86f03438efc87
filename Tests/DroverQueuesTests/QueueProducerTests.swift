import Drover
import DroverQueues
import Foundation
import Testing

@Suite("Queue producer")
struct QueueProducerTests {
    @Test("a message over 128 000 bytes is refused with the platform's message")
    func messageTooLarge() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        let error = await #expect(throws: QueueError.self) {
            try await queue.send(.bytes(Array(repeating: 1, count: 128_001)))
        }
        #expect(error?.message == "Queue send failed: message length of 128001 bytes exceeds limit of 128000")
        try await queue.send(.bytes(Array(repeating: 1, count: 128_000)))
        #expect(try await harness.broker.stats(queue: "q").pending == 1)
    }

    @Test("concurrent sends and a batch: every send returns after its message is stored, none lost or doubled")
    func concurrentSends() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                group.addTask { try await queue.send(.text("single \(index)")) }
            }
            group.addTask {
                try await queue.sendBatch((0..<100).map { MessageSendRequest(body: .text("batched \($0)")) })
            }
            try await group.waitForAll()
        }
        // Every send has returned, so every message is committed.
        #expect(try await harness.broker.stats(queue: "q").pending == 400)
    }

    @Test("a batch of more than 100 messages is refused and stores nothing")
    func batchTooMany() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        let messages = (0..<101).map { MessageSendRequest(body: .text("m\($0)")) }
        let error = await #expect(throws: QueueError.self) { try await queue.sendBatch(messages) }
        #expect(error?.message == "Queue sendBatch failed: batch message count of 101 exceeds limit of 100")
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
    }

    @Test("a batch over 288 000 bytes is refused and stores nothing")
    func batchTooLarge() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        let messages = (0..<3).map { _ in MessageSendRequest(body: .bytes(Array(repeating: 7, count: 100_000))) }
        let error = await #expect(throws: QueueError.self) { try await queue.sendBatch(messages) }
        #expect(error?.message == "Queue sendBatch failed: batch size of 300000 bytes exceeds limit of 288000")
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
    }

    @Test("one oversized message in a batch refuses the whole batch")
    func batchWithOversizedMessage() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        let messages = [
            MessageSendRequest(body: .text("ok")), MessageSendRequest(body: .bytes(Array(repeating: 0, count: 128_500))),
        ]
        let error = await #expect(throws: QueueError.self) { try await queue.sendBatch(messages) }
        #expect(error?.message == "Queue sendBatch failed: message length of 128500 bytes exceeds limit of 128000")
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
    }

    @Test("an unknown content type is refused with the platform's message", arguments: ["xml", "JSON", ""])
    func unknownContentType(type: String) async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        let error = await #expect(throws: QueueError.self) {
            try await queue.send(.text("x"), contentType: QueueContentType(rawValue: type))
        }
        #expect(
            error?.message
                == "message content type \(type) is invalid; if specified, must be one of 'text', 'json', 'bytes', or 'v8'"
        )
    }

    @Test("the four content types are accepted", arguments: ["text", "json", "bytes", "v8"])
    func knownContentTypes(type: String) async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.json(.string("x")), contentType: QueueContentType(rawValue: type))
        #expect(try await harness.broker.stats(queue: "q").pending == 1)
    }

    @Test("delaySeconds above 43 200 or below 0 is refused", arguments: [43_201, -1])
    func delayOutOfRange(delay: Int) async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        await #expect(throws: QueueError.self) { try await queue.send(.text("x"), delaySeconds: delay) }
        await #expect(throws: QueueError.self) {
            try await queue.sendBatch([MessageSendRequest(body: .text("x"))], delaySeconds: delay)
        }
        try await queue.send(.text("x"), delaySeconds: 43_200)
        #expect(try await harness.broker.stats(queue: "q") == QueueStats(queue: "q", delayed: 1))
    }

    @Test("ids are 32 lower-case hex characters and distinct; bodies and timestamps come back as sent")
    func idsAndBodies() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        let json: JSONValue = .object(["to": .string("a@example.test"), "n": .integer(3)])
        try await queue.send(json: json)
        try await queue.send(.text("héllo"))
        try await queue.send(.bytes([0, 255, 10]))
        try await queue.send(.bytes([]))
        let recorder = DeliveryRecorder()
        try await harness.broker.drain([QueueConsumerSettings(queue: "q")]) { batch in
            recorder.record(batch)
            return false
        }
        let deliveries = recorder.deliveries
        #expect(deliveries.map(\.body) == [.json(json), .text("héllo"), .bytes([0, 255, 10]), .bytes([])])
        #expect(Set(deliveries.map(\.id)).count == 4)
        for delivery in deliveries {
            #expect(delivery.id.count == 32)
            #expect(delivery.id.allSatisfy { "0123456789abcdef".contains($0) })
            #expect(delivery.timestamp == harness.clock.now())
            #expect(delivery.attempts == 1)
        }
    }

    @Test("a sent message is on disk: another broker on the same directory sees it")
    func durableAcrossBrokers() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").sendBatch((0..<5).map { MessageSendRequest(body: .text("m\($0)")) })
        let second = try QueueBroker(directory: harness.directory.path + "/queues", clock: harness.clock, logger: .disabled)
        #expect(try await second.stats(queue: "q").ready == 5)
        let recorder = DeliveryRecorder()
        try await second.drain([QueueConsumerSettings(queue: "q")]) {
            recorder.record($0)
            return false
        }
        #expect(texts(recorder.deliveries) == ["m0", "m1", "m2", "m3", "m4"])
    }

    @Test("the producer's delivery_delay applies when a send names none; a message's own delay wins")
    func deliveryDelay() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q", deliveryDelay: 60)
        try await queue.send(.text("default"))
        try await queue.send(.text("own"), delaySeconds: 0)
        try await queue.sendBatch([MessageSendRequest(body: .text("batch"))], delaySeconds: 120)
        let recorder = DeliveryRecorder()
        let consumer = QueueConsumerSettings(queue: "q")
        try await harness.broker.drain([consumer]) {
            recorder.record($0)
            return false
        }
        #expect(texts(recorder.deliveries) == ["own"])
        harness.clock.advance(by: 60)
        try await harness.broker.drain([consumer]) {
            recorder.record($0)
            return false
        }
        #expect(texts(recorder.deliveries) == ["own", "default"])
        harness.clock.advance(by: 60)
        try await harness.broker.drain([consumer]) {
            recorder.record($0)
            return false
        }
        #expect(texts(recorder.deliveries) == ["own", "default", "batch"])
    }

    @Test("invalid consumer settings are refused with the setting's name")
    func invalidSettings() async throws {
        let harness = try QueueHarness.make()
        let bad = QueueConsumerSettings(queue: "q", maxBatchSize: 101)
        let error = await #expect(throws: QueuesError.self) {
            try await harness.broker.drain([bad]) { _ in false }
        }
        #expect(error?.message.contains("max_batch_size") == true)
        let twice = [QueueConsumerSettings(queue: "q"), QueueConsumerSettings(queue: "q")]
        let duplicate = await #expect(throws: QueuesError.self) {
            try await harness.broker.startConsumers(twice) { _ in false }
        }
        #expect(duplicate?.message.contains("more than one consumer") == true)
        let selfDead = QueueConsumerSettings(queue: "q", deadLetterQueue: "q")
        await #expect(throws: QueuesError.self) { try await harness.broker.drain([selfDead]) { _ in false } }
    }
}
