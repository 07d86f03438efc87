import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The namespace folder and the names of the files in it.
///
/// ```
/// head                       the shared head word and the writers' lock (KVSharedHead)
/// log-<gen>                  the current generation of the log
/// log-<gen>.tmp              a compaction's new log, before its rename
/// torn-<gen>-<offset>        a torn tail cut off the log, kept for inspection
/// damaged-<gen>-<offset>     a damaged stretch stepped over inside the log, kept for inspection
/// ```
/// Folders are created with mode 0700 and files with 0600: values may be private, like the secrets
/// in `secrets.json`.
struct KVFolder: Sendable {
    /// The folder's path.
    let path: String

    /// At most this many bytes of a torn or damaged stretch are kept aside.
    static let asideLimit = 64 << 20

    /// The folder at `path`, created with its missing parents (mode 0700) if needed.
    /// - Throws: ``KVStoreError`` naming the folder when it cannot be created.
    init(creating path: String) throws(KVStoreError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw .folder(path, error)
        }
    }

    /// The head file.
    var headPath: String { path + "/head" }

    /// The log of `generation`.
    func logPath(_ generation: UInt64) -> String { path + "/log-\(generation)" }

    /// The file a compaction writes `generation` into before renaming it.
    func temporaryLogPath(_ generation: UInt64) -> String { logPath(generation) + ".tmp" }

    /// The generations of the complete logs in the folder.
    func existingGenerations() -> [UInt64] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.compactMap { name in
            guard name.hasPrefix("log-") else { return nil }
            return UInt64(name.dropFirst(4))
        }
    }

    /// Removes the logs of other generations and unfinished compactions; call under the writer lock.
    ///
    /// Skipped while a compaction runs (its `.tmp` is in use): then nothing is stray yet.
    func removeStrayFiles(keeping generation: UInt64) {
        guard let lock = try? KVCompactionLock(folder: path, wait: false) else { return }
        let keep = "log-\(generation)"
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names where name.hasPrefix("log-") && name != keep {
                unlink(path + "/" + name)
            }
        }
        withExtendedLifetime(lock) {}
    }

    /// Copies up to ``asideLimit`` bytes of `range` of `log` into `<kind>-<generation>-<offset>`,
    /// for inspection; returns its path.
    /// - Throws: ``KVStoreError`` when the copy cannot be made (the caller then keeps the log as it is).
    func keepAside(
        _ kind: String,
        of log: KVLogFile,
        generation: UInt64,
        range: Range<Int64>
    ) throws -> String {
        let aside = path + "/\(kind)-\(generation)-\(range.lowerBound)"
        let bytes = try log.read(at: range.lowerBound, count: Int(min(Int64(Self.asideLimit), Int64(range.count))))
        let file = try KVLogFile(path: aside, create: true, truncate: true)
        try bytes.withUnsafeBytes { try file.write($0, at: 0) }
        return aside
    }

    /// Flushes the folder's entries (a rename, a new file) to the disk.
    /// - Throws: ``KVStoreError`` when the folder cannot be opened or `fsync` fails.
    func sync() throws(KVStoreError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io("fsync", path: path, errno: errno) }
    }
}
