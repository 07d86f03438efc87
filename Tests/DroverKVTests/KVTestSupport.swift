import Drover
import DroverKV
import Foundation
import Synchronization

/// A temporary folder per test, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "drover-kv-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The namespace folder inside.
    var namespace: String { path + "/kv/test-namespace" }
}

/// The UTF-8 bytes of `text` (keys and values of the raw-byte API).
func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A fixed start time, well after the epoch (2026-01-01T00:00:00Z).
let testStart: Int64 = 1_767_225_600

enum KVTestFactory {
    /// A namespace in `directory`, on a manual clock frozen at ``testStart``.
    static func make(
        _ directory: TemporaryDirectory,
        clock: ManualWallClock = ManualWallClock(Date(timeIntervalSince1970: TimeInterval(testStart))),
        tuning: FileKVNamespace.Tuning = FileKVNamespace.Tuning()
    ) throws -> FileKVNamespace {
        try FileKVNamespace(directory: directory.namespace, clock: clock, logger: .disabled, tuning: tuning)
    }

    static func clock() -> ManualWallClock {
        ManualWallClock(Date(timeIntervalSince1970: TimeInterval(testStart)))
    }
}

/// The message of a `KVError`, or a description of whatever else was thrown.
func kvMessage(_ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch let error as KVError {
        return error.message
    } catch {
        return "unexpected \(type(of: error)): \(error)"
    }
}

/// Runs each body on its own thread (never on Swift's cooperative pool, as the bodies block) and
/// waits for all of them, at most `timeout` seconds: a hang guard only, no assertion on time.
/// Returns whether they all finished.
func runOnThreads(timeout: Double = 120, _ bodies: [@Sendable () -> Void]) -> Bool {
    let group = DispatchGroup()
    for body in bodies {
        group.enter()
        Thread {
            body()
            group.leave()
        }.start()
    }
    return group.wait(timeout: .now() + timeout) == .success
}

/// Failures seen on other threads, reported by the test afterwards.
final class ThreadFailures: Sendable {
    private let messages = Mutex<[String]>([])

    func record(_ message: String) {
        messages.withLock { $0.append(message) }
    }

    /// Runs `body`, recording what it throws.
    func capture(_ label: String, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            record("\(label): \(error)")
        }
    }

    var all: [String] { messages.withLock { $0 } }
}
