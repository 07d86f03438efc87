import Drover
import DroverTestSupport
import Foundation
import Testing

@testable import DroverQueues

#if canImport(Glibc)
import Glibc
#endif

/// Kills a consumer process with kill -9 in the middle of a batch and checks at-least-once
/// delivery after a restart on the same directory.
@Suite("Queue crash recovery")
struct QueueCrashTests {
    @Test("kill -9 mid-batch: every message is delivered at least once, acked ones never again")
    func killMidBatch() async throws {
        let helper = try #require(
            Self.benchmarksExecutable(),
            "the Benchmarks executable was not found next to the test bundle; build every product first (`swift build --build-tests` builds it)"
        )
        let directory = TemporaryDirectory()
        let clock = SystemWallClock()
        let sent = (0..<50).map { "m\($0)" }
        do {
            let producer = try QueueBroker(directory: directory.path + "/queues", clock: clock, logger: .disabled)
            try await producer.producer(queue: "crash").sendBatch(sent.map { MessageSendRequest(body: .text($0)) })
        }

        // Run 1: the helper consumes batches 1 and 2, then hangs in batch 3 after acking 5 of its messages.
        let process = try ChildProcess(helper.path, ["queues", "crash-consumer", directory.path], errors: .inherit)
        let logPath = directory.path + "/deliveries.log"
        let reachedHang = try await withHangGuard("the helper to reach batch 3") { () async throws -> Bool in
            while true {
                if let text = try? String(contentsOfFile: logPath, encoding: .utf8), text.contains("hang\n") { return true }
                if !process.isRunning { return false }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        // While the helper runs, another process (this one, like `drover queues list`) reads the
        // same store: batch 3 is in flight, its lease is the live helper's and is not taken over.
        if reachedHang {
            let observer = try QueueBroker(directory: directory.path + "/queues", clock: clock, logger: .disabled)
            let live = try await observer.stats(queue: "crash")
            #expect(live.inFlight == 10)
            #expect(live.ready == 20)
            let idle = DeliveryRecorder()
            try await observer.drain([QueueConsumerSettings(queue: "crash", maxBatchSize: 1)], queues: []) {
                idle.record($0)
                return false
            }
            #expect(try await observer.stats(queue: "crash").inFlight == 10)
        }
        process.signal(SIGKILL)
        let termination = process.waitUntilExit()
        #expect(reachedHang, "the helper exited before reaching batch 3")
        #expect(termination == .signaled(SIGKILL))

        let batches = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("batch ") }
            .map { $0.split(separator: " ")[2].split(separator: ",").map(String.init) }
        try #require(batches.count == 3)
        let settled = Set(batches[0] + batches[1])  // batch 3 started only after 1 and 2 were settled
        let interrupted = Set(batches[2])
        #expect(settled.count == 20)
        #expect(interrupted.count == 10)

        // The helper's instance file outlives it, unlocked: that, not a process id, tells the
        // restart that its leases are abandoned.
        let instances = directory.path + "/queues/instances"
        #expect(try FileManager.default.contentsOfDirectory(atPath: instances).count == 1)

        // The store still holds everything not settled; batch 3 is in flight for a dead process.
        let restarted = try QueueBroker(directory: directory.path + "/queues", clock: clock, logger: .disabled)
        let before = try await restarted.stats(queue: "crash")
        #expect(before.pending == 30)
        #expect(before.inFlight == 10)

        // Run 2: a consumer restarted on the same directory.
        let recorder = DeliveryRecorder()
        try await restarted.drain([QueueConsumerSettings(queue: "crash")]) { batch in
            recorder.record(batch)
            return false
        }
        let redelivered = texts(recorder.deliveries)
        #expect(Set(redelivered).isDisjoint(with: settled), "messages acked before the crash were delivered again")
        #expect(interrupted.isSubset(of: Set(redelivered)), "messages in flight at the crash were not delivered again")
        #expect(settled.union(redelivered) == Set(sent))
        #expect(redelivered.count == 30)
        for delivery in recorder.deliveries where interrupted.contains(delivery.body.text ?? "") {
            #expect(delivery.attempts == 2)
        }
        #expect(try await restarted.stats(queue: "crash").pending == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: instances) == [restarted.store.instanceID])
    }

    /// `Benchmarks` in the build directory that holds the test bundle.
    static func benchmarksExecutable() -> URL? {
        var candidates: [URL] = []
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(argument0.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent())
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for directory in candidates {
            // On macOS the executable sits inside `.xctest/Contents/MacOS`; walk up a few levels.
            var current = directory
            for _ in 0..<4 {
                let binary = current.appendingPathComponent("Benchmarks")
                if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
                current = current.deletingLastPathComponent()
            }
        }
        return nil
    }
}
