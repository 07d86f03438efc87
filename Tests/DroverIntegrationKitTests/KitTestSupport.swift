import Drover
import DroverKV
import Foundation

/// A temporary folder with a file-backed KV namespace in it (the real store `drover dev` uses),
/// removed when the value goes away.
final class TemporaryKV: Sendable {
    let path: String
    let kv: FileKVNamespace

    init(clock: any WallClock, namespace: String = "KV") throws {
        path = NSTemporaryDirectory() + "drover-kit-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        kv = try FileKVNamespace(directory: path + "/kv/" + namespace, clock: clock, logger: .disabled)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
