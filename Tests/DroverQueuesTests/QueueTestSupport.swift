import Drover
import DroverQueues
import Foundation
import Synchronization

/// A fresh directory per test, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "drover-queues-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A broker on a temporary directory with a frozen clock and an in-memory log.
struct QueueHarness {
    let directory = TemporaryDirectory()
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00:00Z
    let logs = MemoryLogSink()
    let broker: QueueBroker

    init() throws {
        broker = try QueueBroker(
            directory: directory.path + "/queues",
            clock: clock,
            logger: Logger(label: "queue", level: .debug, sink: logs)
        )
    }

    static func make() throws -> QueueHarness { try QueueHarness() }

    var logLines: [String] { logs.all.map(\.message) }
}

/// One delivered message as a consumer saw it.
struct Delivery: Sendable, Hashable {
    var queue: String
    var id: String
    var body: MessageBody
    var attempts: Int
    var timestamp: Date
    var batch: Int
}

/// Records batches handed to a consumer and lets a test await a number of deliveries.
final class DeliveryRecorder: Sendable {
    private struct State {
        var deliveries: [Delivery] = []
        var batchSizes: [String: [Int]] = [:]
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    func record(_ batch: MessageBatch) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let number = state.batchSizes.values.reduce(0) { $0 + $1.count }
            state.batchSizes[batch.queue, default: []].append(batch.messages.count)
            for message in batch.messages {
                state.deliveries.append(
                    Delivery(
                        queue: batch.queue,
                        id: message.id,
                        body: message.body,
                        attempts: message.attempts,
                        timestamp: message.timestamp,
                        batch: number
                    )
                )
            }
            let total = state.deliveries.count
            let due = state.waiters.filter { $0.count <= total }.map(\.continuation)
            state.waiters.removeAll { $0.count <= total }
            return due
        }
        for continuation in ready { continuation.resume() }
    }

    var deliveries: [Delivery] { state.withLock { $0.deliveries } }

    func batchSizes(_ queue: String) -> [Int] { state.withLock { $0.batchSizes[queue] ?? [] } }

    /// Returns once at least `count` messages were delivered.
    func waitFor(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.deliveries.count >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// Runs `operation`, failing with `message` if it takes longer than `seconds` (a hang guard, not a
/// timing assertion).
func withHangGuard<T: Sendable>(
    seconds: Int = 60,
    _ message: String,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else {
            group.cancelAll()
            throw HangError(message: message)
        }
        group.cancelAll()
        return value
    }
}

struct HangError: Error, CustomStringConvertible {
    var message: String
    var description: String { "gave up waiting: \(message)" }
}

struct HandlerFailure: Error {}

func texts(_ deliveries: [Delivery]) -> [String] {
    deliveries.map { $0.body.text ?? "?" }
}

