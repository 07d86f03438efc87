#if canImport(Glibc)
import Glibc
#endif

/// Thin typed wrappers over the file calls of ``QueueInstance``, one per C call.
enum InstanceFileCalls {
    /// The current `errno`.
    static var lastError: Int32 { errno }

    /// Whether the last call failed because the file does not exist.
    static var lastErrorIsNotFound: Bool { errno == ENOENT }

    /// A readable text for an errno value.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Creates `path`, failing when it exists; read-write, close-on-exec. -1 with errno on failure.
    static func createExclusive(_ path: String) -> Int32 {
        open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    }

    /// Opens an existing `path` read-write, close-on-exec. -1 with errno on failure.
    static func openExisting(_ path: String) -> Int32 {
        open(path, O_RDWR | O_CLOEXEC)
    }

    /// `flock(LOCK_EX | LOCK_NB)`, retried on EINTR: true when the lock was taken, false with errno
    /// `EWOULDBLOCK` when another open file description holds it (flock(2)).
    static func tryLockExclusive(_ fd: Int32) -> Bool {
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            if errno != EINTR { return false }
        }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Removes `path`; a missing file is not an error here (another process removed it first).
    static func unlink(_ path: String) {
        _ = Glibc.unlink(path)
    }

    /// Renames atomically within one file system (rename(2)); false with errno on failure.
    static func rename(_ from: String, _ to: String) -> Bool {
        Glibc.rename(from, to) == 0
    }
}
