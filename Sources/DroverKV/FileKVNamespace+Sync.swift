import Drover

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading under the namespace lock, and keeping the index in step with the other processes that
/// share the folder (their appends, their compactions).
extension FileKVNamespace {
    /// A value found under the lock; a large one is read after the lock is released.
    struct Found {
        var value: [UInt8]
        /// The file, offset and length to `pread` outside the lock.
        var deferred: (KVLogFile, Int64, Int)?
        var metadata: JSONValue?
        var expiration: Int64
    }

    /// The value of `key` (call after ``syncForRead(_:now:)``): from the cache, read now, or — with
    /// `allowDeferred`, for values too large to cache — left for the caller to read off the lock.
    func readLocked(_ state: inout State, _ key: KVKey, now: Int64, allowDeferred: Bool = false) throws -> Found? {
        guard let file = state.log?.file else { throw KVStoreError.closed(directory) }
        guard let entry = state.log?.index[key], !entry.isExpired(at: now) else { return nil }
        if let cached = state.cache[key] {
            return Found(value: cached, metadata: entry.metadata, expiration: entry.expiration)
        }
        let length = Int(entry.valueLength)
        if allowDeferred && !state.cache.admits(length) {
            return Found(value: [], deferred: (file, entry.valueOffset, length), metadata: entry.metadata, expiration: entry.expiration)
        }
        let value = try file.read(at: entry.valueOffset, count: length)
        guard value.count == length else { throw KVStoreError.io("pread", path: file.path, errno: EIO) }
        state.cache.insert(value, for: key)
        return Found(value: value, metadata: entry.metadata, expiration: entry.expiration)
    }

    /// Brings the index up to what other writers have acknowledged (the shared head word): new
    /// records of this generation are read incrementally; a new generation is reloaded whole.
    func syncForRead(_ state: inout State, now: Int64) throws {
        // Plain values out of `state.log`, never a copy of it: a second reference to the index
        // would make the next mutation copy the whole index.
        guard let generation = state.log?.generation, let end = state.log?.end else {
            throw KVStoreError.closed(directory)
        }
        let published = head.load()
        if published.generation != generation {
            try reload(&state, now: now)
        } else if published.end > end {
            let keys = try state.log!.follow(upTo: published.end, now: now, logger: logger)
            for key in keys { state.cache.remove(key) }
        }
    }

    /// Under the writer lock: brings the index up to the end of the file, cutting off a torn tail
    /// (under the lock no other writer is mid-append, so an incomplete last record is a crash's) and
    /// stepping over damage, which asks the next maintenance for a rewrite.
    func syncForWrite(_ state: inout State, now: Int64) throws {
        guard state.log != nil else { throw KVStoreError.closed(directory) }
        if head.load().generation != state.log!.generation { try reload(&state, now: now) }
        let size = try state.log!.file.size()
        let end = state.log!.end
        if size > end {
            let recovered = try state.log!.recover(
                upTo: size,
                now: now,
                folder: folder,
                logger: logger,
                collectingKeys: true
            )
            for key in recovered.keys { state.cache.remove(key) }
            if recovered.damaged { state.rewriteWanted = true }
        } else if size < end {
            throw KVStoreError.notAStore(state.log!.file.path, "the log shrank from \(end) to \(size) bytes")
        }
    }

    /// Switches to the generation the head names (another process compacted), reading it whole.
    func reload(_ state: inout State, now: Int64) throws {
        for _ in 0..<100 {
            let published = head.load()
            let file: KVLogFile
            do {
                file = try KVLogFile(path: folder.logPath(published.generation), create: false)
            } catch {
                continue  // compacted again meanwhile: read the head anew
            }
            var fresh = KVLog(
                file: file,
                generation: published.generation,
                index: KVIndex(capacity: state.log?.index.count ?? 0)
            )
            _ = try fresh.follow(upTo: published.end, now: now, logger: logger)
            state.log = fresh
            state.cache.removeAll()
            return
        }
        throw KVStoreError.io("open", path: folder.logPath(head.load().generation), errno: ENOENT)
    }

    /// Counts a write; true when it is time for background maintenance.
    func countWrite(_ state: inout State) -> Bool {
        state.writesSinceMaintenance += 1
        guard state.writesSinceMaintenance >= tuning.maintenanceInterval else { return false }
        state.writesSinceMaintenance = 0
        return true
    }
}
