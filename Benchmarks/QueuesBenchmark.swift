import Drover
import DroverQueues
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `Benchmarks queues [--messages N] [--sends N] [--waiting N]`: durable queue throughput, send
/// latency and memory with a large backlog. `Benchmarks queues crash-consumer DIR` is the helper
/// process of DroverQueuesTests' kill -9 test (see ``CrashConsumer``).
enum QueuesBenchmark {
    static func run(arguments: [String]) async throws {
        if arguments.first == "crash-consumer" {
            guard arguments.count == 2 else {
                print("usage: Benchmarks queues crash-consumer DIR")
                exit(64)
            }
            try await CrashConsumer.run(directory: arguments[1])
            return
        }
        let endToEndCount = option("--messages", in: arguments) ?? 200_000
        let sendCount = option("--sends", in: arguments) ?? 10_000
        let waitingCount = option("--waiting", in: arguments) ?? 1_000_000

        var rows: [(String, String)] = []
        let root = NSTemporaryDirectory() + "drover-queues-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }

        // 1. send latency, one message per send, no batching.
        do {
            let broker = try QueueBroker(directory: root + "/latency", clock: SystemWallClock(), logger: .disabled)
            let queue = broker.producer(queue: "latency")
            var samples: [Double] = []
            samples.reserveCapacity(sendCount)
            let body = MessageBody.json(["to": "someone@example.test", "template": "welcome", "n": 1])
            for _ in 0..<200 { try await queue.send(body) }  // warm-up
            for _ in 0..<sendCount {
                let start = ContinuousClock.now
                try await queue.send(body)
                samples.append(milliseconds(ContinuousClock.now - start))
            }
            samples.sort()
            rows.append(("send latency p50 (\(sendCount) sends)", String(format: "%.3f ms", percentile(samples, 0.50))))
            rows.append(("send latency p99", String(format: "%.3f ms", percentile(samples, 0.99))))
            rows.append(("send latency max", String(format: "%.3f ms", samples.last ?? 0)))
        }

        // 2. end to end: sendBatch(100) while a consumer with batches of 100 acks.
        do {
            let broker = try QueueBroker(directory: root + "/e2e", clock: SystemWallClock(), logger: .disabled)
            let queue = broker.producer(queue: "e2e")
            let acked = Atomic<Int>(0)
            let done = DoneSignal()
            let start = ContinuousClock.now
            try await broker.startConsumers([
                QueueConsumerSettings(queue: "e2e", maxBatchSize: 100, maxBatchTimeout: .milliseconds(50))
            ]) { batch in
                batch.ackAll()
                let total = acked.add(batch.messages.count, ordering: .relaxed).newValue
                if total >= endToEndCount { done.signal() }
                return false
            }
            var sent = 0
            while sent < endToEndCount {
                let count = min(100, endToEndCount - sent)
                try await queue.sendBatch(
                    (0..<count).map { MessageSendRequest(body: .json(["order": .integer(Int64(sent + $0))])) }
                )
                sent += count
            }
            await done.wait()
            let elapsed = ContinuousClock.now - start
            await broker.shutdown()
            let rate = Double(endToEndCount) / (milliseconds(elapsed) / 1000)
            rows.append(
                ("end-to-end \(endToEndCount) msgs, batches of 100", String(format: "%.0f msg/s (%.2f s)", rate, milliseconds(elapsed) / 1000))
            )
        }

        // 3. memory while messages wait on disk.
        do {
            let broker = try QueueBroker(directory: root + "/backlog", clock: SystemWallClock(), logger: .disabled)
            let queue = broker.producer(queue: "backlog")
            let before = residentMegabytes()
            let start = ContinuousClock.now
            var sent = 0
            let body = MessageBody.json(["to": "someone@example.test", "template": "welcome"])
            while sent < waitingCount {
                let count = min(100, waitingCount - sent)
                try await queue.sendBatch(Array(repeating: MessageSendRequest(body: body), count: count))
                sent += count
            }
            let elapsed = ContinuousClock.now - start
            let after = residentMegabytes()
            let stats = try await broker.stats(queue: "backlog")
            rows.append(("RSS before enqueueing \(waitingCount)", String(format: "%.1f MB", before)))
            rows.append(("RSS with \(stats.pending) waiting", String(format: "%.1f MB", after)))
            rows.append(("enqueue rate (sendBatch 100)", String(format: "%.0f msg/s", Double(waitingCount) / (milliseconds(elapsed) / 1000))))
        }

        let width = rows.map(\.0.count).max() ?? 0
        print("queues benchmark (durable: SQLite WAL, synchronous=NORMAL)")
        for (name, value) in rows {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    private static func option(_ name: String, in arguments: [String]) -> Int? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    private static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    /// Resident set size from /proc/self/statm.
    private static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}

/// A one-shot signal a task can await.
final class DoneSignal: Sendable {
    private let state = Mutex<(done: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.done = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.done { return true }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// The consumer process of the crash test: consumes queue `crash` from `DIR/queues` in batches of
/// 10, one at a time, appending `batch N body,body,...` to `DIR/deliveries.log` as each batch
/// arrives. In batch 3 it acknowledges the first five messages explicitly, appends `hang`, and
/// never returns, waiting to be killed with kill -9. While it hangs, its broker's instance file
/// (`DIR/queues/instances/<id>`) stays locked, so other brokers leave batch 3's lease alone; once
/// it is killed the lock is gone and the next start releases the lease at once.
enum CrashConsumer {
    static func run(directory: String) async throws {
        let broker = try QueueBroker(directory: directory + "/queues", clock: SystemWallClock(), logger: .disabled)
        let log = open(directory + "/deliveries.log", O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard log >= 0 else {
            print("cannot open \(directory)/deliveries.log")
            exit(1)
        }
        let counter = Atomic<Int>(0)
        try await broker.startConsumers([
            QueueConsumerSettings(queue: "crash", maxBatchSize: 10, maxBatchTimeout: .milliseconds(20), maxConcurrency: 1)
        ]) { batch in
            let number = counter.add(1, ordering: .relaxed).newValue
            let bodies = batch.messages.map { $0.body.text ?? "?" }.joined(separator: ",")
            append(log, "batch \(number) \(bodies)\n")
            guard number == 3 else { return false }
            for message in batch.messages.prefix(5) { message.ack() }
            append(log, "hang\n")
            while true { try? await Task.sleep(for: .seconds(3600)) }
        }
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    private static func append(_ fd: Int32, _ line: String) {
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
