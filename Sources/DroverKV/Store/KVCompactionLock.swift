#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock one compaction of a namespace holds from its snapshot to its swap, across processes:
/// `flock(LOCK_EX)` on the namespace folder itself, so no file is added.
///
/// It is a separate lock from the writers' (the `head` file's): a compaction copies the log while
/// other processes keep writing, and takes the writers' lock only for its short final step. Holding
/// this one keeps a second compaction (another process, or another namespace object on the same
/// folder) from writing the same `log-<gen>.tmp`, and an opening process from removing that file
/// as stray. `flock(2)` locks belong to the open file description, so two descriptors on one folder
/// exclude each other even in one process; the lock goes when the descriptor closes (on release,
/// or when a crashed process's files are closed).
final class KVCompactionLock {
    private let descriptor: Int32

    /// Takes the lock of the folder at `folder`, waiting for it when `wait` is true; `nil` when it is
    /// held elsewhere and `wait` is false.
    /// - Throws: ``KVStoreError`` when the folder cannot be opened or locked.
    init?(folder: String, wait: Bool) throws(KVStoreError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("open", path: folder, errno: errno) }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            let failure = errno
            if failure == EINTR { continue }
            close(fd)
            if failure == EWOULDBLOCK { return nil }
            throw .io("flock", path: folder, errno: failure)
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)  // releases the lock
    }
}
