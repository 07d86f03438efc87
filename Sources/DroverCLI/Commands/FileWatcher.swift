import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Calls `onChange` when any of `paths` is created, removed or modified (polled every 500 ms:
/// portable, and cheap for the two or three files `drover dev` watches).
final class FileWatcher: Sendable {
    private let task: Task<Void, Never>

    init(paths: [String], interval: Duration = .milliseconds(500), onChange: @escaping @Sendable () async -> Void) {
        task = Task {
            var last = paths.map(FileWatcher.stamp)
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                let now = paths.map(FileWatcher.stamp)
                if now != last {
                    last = now
                    await onChange()
                }
            }
        }
    }

    func stop() {
        task.cancel()
    }

    /// Modification time and size, or nil when the file does not exist.
    private static func stamp(_ path: String) -> [Int]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [info.st_mtim.tv_sec, info.st_mtim.tv_nsec, Int(info.st_size), Int(info.st_ino)]
    }
}

/// A flag that can be set once.
final class LockedFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Sets the flag; true only for the first caller.
    func setIfUnset() -> Bool {
        flag.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }
}

/// Keeps signal sources alive for the life of the process.
///
/// `@unchecked Sendable`: `DispatchSourceSignal` is not `Sendable`, but the sources are only
/// appended under the lock and never touched again; they just must not be released.
final class SignalSources: @unchecked Sendable {
    private static let shared = SignalSources()
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []

    static func keep(_ new: [DispatchSourceSignal]) {
        shared.lock.withLock { shared.sources.append(contentsOf: new) }
    }
}
