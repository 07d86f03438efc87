import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The namespace's `head` file: the lock that serializes writers across processes, and a shared
/// memory word that tells readers in every process where the log ends.
///
/// The file is 4 KiB, mapped `MAP_SHARED` in each process that opens the namespace (as SQLite's
/// WAL index, `-shm`, is: sqlite.org/wal.html §"Implementation Of Shared-Memory For The WAL-Index").
/// Bytes 0..<8 hold a magic; bytes 8..<16 one atomic word: log generation (high 16 bits) and the
/// end of the last acknowledged record (low 48 bits). Packing both in one word lets a reader see a
/// consistent pair with one load, with no lock. Writers hold `flock(LOCK_EX)` on the file while they
/// append or compact (`flock(2)`: the lock belongs to the open file description, so two
/// namespaces opened in one process exclude each other as two processes do).
///
/// `@unchecked Sendable`: the mapping and descriptor are immutable; the shared word is accessed
/// only through `Atomic` with acquire/release ordering.
final class KVSharedHead: @unchecked Sendable {
    private static let size = 4096
    private static let magic: UInt64 = 0x3144_4845_4B56_5244  // "DRVKEHD1" little-endian
    private static let endMask: UInt64 = (1 << 48) - 1

    let path: String
    private let descriptor: Int32
    private let mapping: UnsafeMutableRawPointer

    /// Opens or creates the head file at `path`.
    init(path: String) throws(KVStoreError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)  // owner only, as every state file
        guard fd >= 0 else { throw .io("open", path: path, errno: errno) }
        do throws(KVStoreError) {
            self.mapping = try Self.map(fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        // Last: once every stored property is set, a throw would also run `deinit`, which closes
        // and unmaps again (by then the number and the address may be another thread's).
        self.descriptor = fd
    }

    /// Maps the head file open on `fd`, under its writer lock: sized to 4 KiB and given its magic and
    /// first word when new. On a throw nothing stays mapped and `fd` stays open (the caller closes it).
    private static func map(_ fd: Int32, path: String) throws(KVStoreError) -> UnsafeMutableRawPointer {
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .io("flock", path: path, errno: errno) }
        }
        defer { flock(fd, LOCK_UN) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io("fstat", path: path, errno: errno) }
        if info.st_size < size {
            guard ftruncate(fd, off_t(size)) == 0 else { throw .io("ftruncate", path: path, errno: errno) }
        }
        guard let pointer = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), pointer != MAP_FAILED else {
            throw .io("mmap", path: path, errno: errno)
        }
        let storedMagic = pointer.load(as: UInt64.self)
        if storedMagic != magic {
            guard storedMagic == 0 else {
                munmap(pointer, size)
                throw .notAStore(path, "unknown head file format")
            }
            // The word before the magic: a process that sees the magic sees the word.
            word(in: pointer).pointee.store(1 << 48, ordering: .releasing)
            pointer.storeBytes(of: magic, as: UInt64.self)
        }
        return pointer
    }

    deinit {
        munmap(mapping, Self.size)
        close(descriptor)
    }

    private var word: UnsafeMutablePointer<Atomic<UInt64>> { Self.word(in: mapping) }

    private static func word(in mapping: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt64>> {
        (mapping + 8).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    /// The current generation and acknowledged end of the log, read together.
    func load() -> (generation: UInt64, end: Int64) {
        let value = word.pointee.load(ordering: .acquiring)
        return (value >> 48, Int64(value & Self.endMask))
    }

    /// Publishes a generation and end.
    func store(generation: UInt64, end: Int64) {
        word.pointee.store((generation << 48) | (UInt64(end) & Self.endMask), ordering: .releasing)
    }

    /// Writes the mapped page to the disk (`msync(MS_SYNC)`), so the generation a compaction
    /// published survives a power cut before the old log is unlinked.
    /// - Throws: ``KVStoreError`` when the kernel reports a write error.
    func sync() throws(KVStoreError) {
        guard msync(mapping, Self.size, MS_SYNC) == 0 else { throw .io("msync", path: path, errno: errno) }
    }

    /// The generation after `generation` (16 bits, never 0).
    static func next(after generation: UInt64) -> UInt64 {
        generation >= 0xFFFF ? 1 : generation + 1
    }

    /// Runs `body` holding the cross-process writer lock.
    func withWriterLock<T>(_ body: () throws -> T) throws -> T {
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw KVStoreError.io("flock", path: path, errno: errno) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
