#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One generation of the append-only log (or a file kept aside beside it), open for reading and
/// writing with positional I/O. Files are created with mode 0600.
///
/// `@unchecked Sendable`: the descriptor is immutable and `pread`/`pwrite` take explicit offsets,
/// so calls from many threads do not interfere; appends are serialized by the namespace's lock
/// and the shared `flock`. The descriptor closes when the last reference goes away, so a read
/// outside the namespace lock stays valid across a compaction that swaps the file.
final class KVLogFile: @unchecked Sendable {
    /// The file's path.
    let path: String
    private let descriptor: Int32

    /// Opens (and with `create`, creates) the file at `path`.
    /// - Throws: ``KVStoreError`` naming the path; `ENOENT` is reported through `missing`.
    init(path: String, create: Bool, truncate: Bool = false) throws(KVStoreError) {
        self.path = path
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT }
        if truncate { flags |= O_TRUNC }
        let fd = open(path, flags, 0o600)  // owner only: values may be private (as `secrets.json`)
        guard fd >= 0 else { throw .io("open", path: path, errno: errno) }
        self.descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// The file's size in bytes.
    func size() throws(KVStoreError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io("fstat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Reads `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: Int64, count: Int) throws(KVStoreError) -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                let result = pread(
                    descriptor,
                    buffer.baseAddress! + initialized,
                    count - initialized,
                    off_t(offset) + off_t(initialized)
                )
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if result == 0 { return }
                initialized += result
            }
        }
        if failure != 0 { throw .io("pread", path: path, errno: failure) }
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(KVStoreError) {
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset) + off_t(written))
            if result < 0 {
                if errno == EINTR { continue }
                throw .io("pwrite", path: path, errno: errno)
            }
            written += result
        }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int64) throws(KVStoreError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw .io("ftruncate", path: path, errno: errno) }
    }

    /// Flushes the file to stable storage.
    func sync() throws(KVStoreError) {
        guard fsync(descriptor) == 0 else { throw .io("fsync", path: path, errno: errno) }
    }
}
