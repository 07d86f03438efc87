import Drover
import DroverQueues
import Foundation
import Synchronization
import Testing

@Suite("Queue real-time dispatch")
struct QueueConsumerLoopTests {
    @Test("full batches go out at max_batch_size; the remainder waits for the batch timeout")
    func batchesFillBySize() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").sendBatch((0..<25).map { MessageSendRequest(body: .text("m\($0)")) })
        let recorder = DeliveryRecorder()
        try await harness.broker.startConsumers([QueueConsumerSettings(queue: "q", maxBatchTimeout: .seconds(60))]) {
            recorder.record($0)
            return false
        }
        try await withHangGuard("20 deliveries") { await recorder.waitFor(20) }
        await harness.broker.shutdown()
        #expect(recorder.batchSizes("q") == [10, 10])
        #expect(try await harness.broker.stats(queue: "q").ready == 5)
    }

    @Test("a partial batch is delivered once max_batch_timeout passes")
    func batchesFillByTimeout() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").sendBatch((0..<3).map { MessageSendRequest(body: .text("m\($0)")) })
        let recorder = DeliveryRecorder()
        try await harness.broker.startConsumers([QueueConsumerSettings(queue: "q", maxBatchTimeout: .milliseconds(50))]) {
            recorder.record($0)
            return false
        }
        try await withHangGuard("3 deliveries") { await recorder.waitFor(3) }
        await harness.broker.shutdown()
        #expect(recorder.batchSizes("q") == [3])
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
        #expect(harness.logLines.contains { $0.hasPrefix("QUEUE q 3/3 (") && $0.hasSuffix("ms)") })
    }

    @Test("a send in the process wakes a running consumer")
    func sendWakesConsumer() async throws {
        let harness = try QueueHarness.make()
        let recorder = DeliveryRecorder()
        try await harness.broker.startConsumers([QueueConsumerSettings(queue: "q", maxBatchSize: 1)]) {
            recorder.record($0)
            return false
        }
        let queue = harness.broker.producer(queue: "q")
        for index in 0..<5 { try await queue.send(.text("m\(index)")) }
        try await withHangGuard("5 deliveries") { await recorder.waitFor(5) }
        await harness.broker.shutdown()
        #expect(Set(texts(recorder.deliveries)) == ["m0", "m1", "m2", "m3", "m4"])
    }

    @Test("a message sent by another broker (another process's view of the store) is picked up by polling")
    func pollsTheStore() async throws {
        let harness = try QueueHarness.make()
        let recorder = DeliveryRecorder()
        try await harness.broker.startConsumers([QueueConsumerSettings(queue: "q", maxBatchSize: 1)]) {
            recorder.record($0)
            return false
        }
        let cli = try QueueBroker(directory: harness.directory.path + "/queues", clock: harness.clock, logger: .disabled)
        try await cli.producer(queue: "q").send(.text("from the CLI"))
        try await withHangGuard("1 delivery") { await recorder.waitFor(1) }
        await harness.broker.shutdown()
        #expect(texts(recorder.deliveries) == ["from the CLI"])
    }

    @Test("max_concurrency bounds the batches in a handler's hands at once", arguments: [1, 3])
    func maxConcurrency(limit: Int) async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").sendBatch((0..<12).map { MessageSendRequest(body: .text("m\($0)")) })
        let recorder = DeliveryRecorder()
        let gauge = ConcurrencyGauge()
        try await harness.broker.startConsumers([QueueConsumerSettings(queue: "q", maxBatchSize: 1, maxConcurrency: limit)]) {
            gauge.enter()
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(5))
            gauge.leave()
            recorder.record($0)
            return false
        }
        try await withHangGuard("12 deliveries") { await recorder.waitFor(12) }
        await harness.broker.shutdown()
        #expect(gauge.peak <= limit)
        #expect(gauge.peak >= 1)
    }

    @Test("without a crash every message is delivered and acked exactly once, under concurrent batches")
    func exactlyOnceWithoutCrash() async throws {
        let harness = try QueueHarness.make()
        let queue = harness.broker.producer(queue: "q")
        let recorder = DeliveryRecorder()
        try await harness.broker.startConsumers([
            QueueConsumerSettings(queue: "q", maxBatchSize: 7, maxBatchTimeout: .milliseconds(10), maxConcurrency: 3)
        ]) {
            recorder.record($0)
            return false
        }
        for start in stride(from: 0, to: 300, by: 50) {
            try await queue.sendBatch((start..<start + 50).map { MessageSendRequest(body: .text("m\($0)")) })
        }
        try await withHangGuard("300 deliveries") { await recorder.waitFor(300) }
        await harness.broker.shutdown()
        let delivered = texts(recorder.deliveries)
        #expect(delivered.count == 300)
        #expect(Set(delivered) == Set((0..<300).map { "m\($0)" }))
        #expect(recorder.batchSizes("q").allSatisfy { $0 <= 7 })
        #expect(try await harness.broker.stats(queue: "q").pending == 0)
    }

    @Test("a throwing handler's batch is retried in real time up to max_retries, then dead-lettered")
    func realTimeRetries() async throws {
        let harness = try QueueHarness.make()
        try await harness.broker.producer(queue: "q").send(.text("x"))
        let recorder = DeliveryRecorder()
        try await harness.broker.startConsumers([
            QueueConsumerSettings(queue: "q", maxBatchSize: 1, maxRetries: 2, deadLetterQueue: "dlq"),
            QueueConsumerSettings(queue: "dlq", maxBatchSize: 1),
        ]) { batch in
            recorder.record(batch)
            return QueueHandlerOutcome(thrown: batch.queue == "q" ? "boom" : nil)
        }
        try await withHangGuard("4 deliveries") { await recorder.waitFor(4) }
        await harness.broker.shutdown()
        #expect(recorder.deliveries.map(\.attempts) == [1, 2, 3, 1])
        #expect(recorder.deliveries.map(\.queue) == ["q", "q", "q", "dlq"])
        #expect(try await harness.broker.stats(queue: "q").deadLettered == 1)
    }
}

/// Tracks how many handlers run at once.
final class ConcurrencyGauge: Sendable {
    private let state = Mutex<(current: Int, peak: Int)>((0, 0))
    func enter() {
        state.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
    }
    func leave() { state.withLock { $0.current -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}
