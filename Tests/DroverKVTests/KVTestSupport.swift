import Drover
import DroverKV
import Foundation

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
