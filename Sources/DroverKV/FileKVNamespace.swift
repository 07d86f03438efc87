import Drover
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Workers KV namespace stored in plain files under one folder (`<state>/kv/<namespace id>/`).
///
/// The store is an append-only, checksummed log (`log-<generation>`) with an in-memory index
/// (hash map plus a lazily sorted key array), and a shared `head` file whose lock serializes
/// writers across processes and whose mapped word tells every reader where the log ends. A write
/// returns after `pwrite(2)` of its record: it survives `kill -9` (not a power cut; no `fsync`
/// per write, as SQLite in WAL mode with `synchronous=NORMAL`). Opening truncates a torn tail and
/// steps over damage inside the log (`KVLog+Recovery.swift`). Expired and overwritten records are
/// reclaimed by compaction into a new generation, which copies the log without holding the lock
/// that `get` and `put` take (`FileKVNamespace+Compaction.swift`). Design: `Docs/kv-store.md`.
///
/// The files are laid out in ``KVFolder``; keeping in step with other processes is in
/// `FileKVNamespace+Sync.swift`, `list` in `FileKVNamespace+List.swift`, the bulk `get` and
/// `getWithMetadata` in `FileKVNamespace+Bulk.swift`.
///
/// Errors: the platform's ``KVError`` messages for invalid input; ``KVStoreError`` when the file
/// system fails (the store is then unchanged: a failed append is cut off again).
package final class FileKVNamespace: KVNamespace, Sendable {
    /// Knobs for tests and benchmarks; the defaults suit `drover dev`.
    package struct Tuning: Sendable {
        /// Bytes of values kept in memory for hot `get`s.
        package var cacheBytes: Int
        /// Values up to this size are cached.
        package var cacheableValueLength: Int
        /// Background maintenance (expiry sweep, compaction when worthwhile) runs after this many writes.
        package var maintenanceInterval: Int
        /// Background compaction runs when dead bytes reach this share of the log...
        package var compactionDeadRatio: Double
        /// ...and at least this many bytes.
        package var compactionMinimumDeadBytes: Int64
        /// An explicit ``FileKVNamespace/reclaimExpired()`` compacts when dead bytes reach this share
        /// (lower, so disk use stays near the live data when the runtime reclaims periodically).
        package var reclaimDeadRatio: Double
        /// Called by a compaction, off every lock, after each batch of records it copied (tests pause
        /// a compaction here to write while it copies).
        package var compactionBatchCopied: (@Sendable () -> Void)? = nil
        /// Called by a compaction just before it `fsync`s the folder after the rename; a throw is
        /// taken as that `fsync` failing (tests check that the swap is then abandoned).
        package var compactionWillSyncFolder: (@Sendable () throws -> Void)? = nil

        /// The defaults: 64 MiB cache of values up to 16 KiB, maintenance every 1024 writes,
        /// compaction at a third of the log dead and at least 1 MiB, or at an eighth on explicit reclaim.
        package init(
            cacheBytes: Int = 64 << 20,
            cacheableValueLength: Int = 16 << 10,
            maintenanceInterval: Int = 1024,
            compactionDeadRatio: Double = 1.0 / 3.0,
            compactionMinimumDeadBytes: Int64 = 1 << 20,
            reclaimDeadRatio: Double = 1.0 / 8.0
        ) {
            self.cacheBytes = cacheBytes
            self.cacheableValueLength = cacheableValueLength
            self.maintenanceInterval = maintenanceInterval
            self.compactionDeadRatio = compactionDeadRatio
            self.compactionMinimumDeadBytes = compactionMinimumDeadBytes
            self.reclaimDeadRatio = reclaimDeadRatio
        }
    }

    /// What a ``reclaimExpired()`` or ``compact()`` did.
    package struct ReclaimReport: Sendable, Equatable {
        /// Keys found expired and dropped from the index.
        package var expiredKeys: Int
        /// Whether the log was rewritten.
        package var compacted: Bool
        /// Log size before, in bytes.
        package var bytesBefore: Int64
        /// Log size after, in bytes.
        package var bytesAfter: Int64
    }

    /// The namespace folder.
    package let directory: String
    let clock: any WallClock
    let logger: Logger
    let tuning: Tuning
    let folder: KVFolder
    let head: KVSharedHead
    let state: Mutex<State>
    /// Whether a background maintenance is queued or running.
    let maintenanceScheduled = Atomic<Bool>(false)
    /// Where background maintenance runs: its own serial queue, as it does blocking file I/O (never
    /// Swift's cooperative pool, never the thread of the `put` that asked for it).
    let maintenanceQueue = DispatchQueueExecutor(label: "drover.kv.maintenance")

    /// What the namespace lock guards.
    struct State: Sendable {
        /// The current generation and its index; `nil` once closed.
        var log: KVLog?
        var cache: KVValueCache
        var writesSinceMaintenance = 0
        /// A writer stepped over damage inside the log (or a rewrite after opening failed): the next
        /// maintenance, background or explicit, rewrites the log whatever its dead share.
        var rewriteWanted = false
    }

    /// Opens (creating if needed) the namespace stored in `directory`.
    ///
    /// Reads the whole log to build the index. A torn tail left by a crashed writer is cut off (the
    /// cut bytes are kept beside it as `torn-<generation>-<offset>` for inspection); damage inside
    /// the log is stepped over, kept aside as `damaged-<generation>-<offset>`, and the log is then
    /// rewritten without it before this returns (see ``KVLogScanner``).
    /// - Parameters:
    ///   - directory: the namespace folder, `<state>/kv/<namespace id>`; created with its parents (mode 0700).
    ///   - clock: the source of "now" for expiry.
    ///   - logger: where recovery and compaction are reported.
    ///   - tuning: cache and maintenance knobs.
    /// - Throws: ``KVStoreError`` when the folder cannot be created or read, or holds another format.
    ///   A failed rewrite after damage is only logged: the store works, the next maintenance retries.
    package init(directory: String, clock: any WallClock, logger: Logger, tuning: Tuning = Tuning()) throws {
        self.directory = directory
        self.clock = clock
        self.logger = logger
        self.tuning = tuning
        let folder = try KVFolder(creating: directory)
        self.folder = folder
        let head = try KVSharedHead(path: folder.headPath)
        self.head = head
        let (opened, damaged) = try head.withWriterLock { () throws -> (KVLog, Bool) in
            var generation = head.load().generation
            if !FileManager.default.fileExists(atPath: folder.logPath(generation)),
                let existing = folder.existingGenerations().max()
            {
                // The head was lost (or is new) but a log is there: adopt it rather than start empty.
                logger.warning("KV namespace \(directory): head names log-\(generation), adopting log-\(existing)")
                generation = existing
            }
            let file = try KVLogFile(path: folder.logPath(generation), create: true)
            let size = try file.size()
            if size == 0 {
                try KVLogRecord.fileHeader.withUnsafeBytes { try file.write($0, at: 0) }
            } else {
                let header = try file.read(at: 0, count: KVLogRecord.fileHeader.count)
                guard header.prefix(8) == KVLogRecord.fileHeader.prefix(8) else {
                    throw KVStoreError.notAStore(file.path, "unknown log file format")
                }
            }
            var log = KVLog(file: file, generation: generation, index: KVIndex(capacity: Int(max(size, 0) / 128)))
            let recovered = try log.recover(
                upTo: max(size, KVLogRecord.firstRecordOffset),
                now: clock.nowSeconds(),
                folder: folder,
                logger: logger
            )
            head.store(generation: generation, end: log.end)
            folder.removeStrayFiles(keeping: generation)
            return (log, recovered.damaged)
        }
        let generation = opened.generation
        self.state = Mutex(
            State(
                log: consume opened,  // the only reference to the index: later writes do not copy it
                cache: KVValueCache(budget: tuning.cacheBytes, largestValue: tuning.cacheableValueLength)
            )
        )
        if damaged { rewriteDamaged(generation: generation) }
    }

    /// Opens the namespace in `directory`.
    package convenience init(directory: URL, clock: any WallClock, logger: Logger, tuning: Tuning = Tuning()) throws {
        try self.init(directory: directory.path, clock: clock, logger: logger, tuning: tuning)
    }

    /// Closes the namespace: later calls throw ``KVStoreError``. Reads already under way finish; a
    /// compaction under way stops at its next step and leaves the log as it was.
    package func close() {
        let retired = state.withLock { state in
            let retired = state.log
            state.log = nil
            state.cache.removeAll()
            return retired
        }
        withExtendedLifetime(retired) {}  // the index is freed here, after the lock
    }

    // MARK: - KVNamespace

    /// The value, metadata and expiration of `key`, or `nil` when absent or expired.
    /// - Throws: ``KVError`` for an invalid key or `cacheTtl`; ``KVStoreError`` when reading fails.
    package func getWithMetadata(_ key: String, cacheTtl: Int?) async throws -> KVEntry? {
        try getWithMetadata(rawKey: Array(key.utf8), cacheTtl: cacheTtl)
    }

    /// Stores `value` under `key`; on return the record is written to the log (see the type's notes).
    /// - Throws: ``KVError`` with the platform's message (nothing written); ``KVStoreError`` on I/O failure.
    package func put(_ key: String, value: [UInt8], options: KVPutOptions) async throws {
        try put(rawKey: Array(key.utf8), value: value, options: options)
    }

    /// Removes `key`; an absent key is not an error.
    /// - Throws: ``KVError`` for an invalid key; ``KVStoreError`` on I/O failure.
    package func delete(_ key: String) async throws {
        try delete(rawKey: Array(key.utf8))
    }

    /// A page of keys in byte order, after the cursor, under the literal prefix.
    /// - Throws: ``KVError`` for a limit outside 1...1000.
    package func list(_ options: KVListOptions) async throws -> KVListResult {
        let page = try list(
            rawPrefix: options.prefix.map { Array($0.utf8) } ?? [],
            limit: options.limit,
            cursor: options.cursor
        )
        return KVListResult(
            keys: page.keys.map { KVListResult.Key(name: $0.key.text, expiration: $0.expiration, metadata: $0.metadata) },
            listComplete: page.cursor == nil,
            cursor: page.cursor
        )
    }

    // MARK: - Raw-key operations (any bytes are a key)

    /// `getWithMetadata` of a key given as bytes (which need not be UTF-8).
    /// - Throws: ``KVError`` for an invalid key or `cacheTtl`; ``KVStoreError`` when reading fails.
    package func getWithMetadata(rawKey: [UInt8], cacheTtl: Int? = nil) throws -> KVEntry? {
        try KVLimits.checkKey(rawKey, method: "GET")
        try KVLimits.checkCacheTtl(cacheTtl)
        let now = clock.nowSeconds()
        let key = KVKey(rawKey)
        let found: Found? = try state.withLock { state in
            try self.syncForRead(&state, now: now)
            return try self.readLocked(&state, key, now: now, allowDeferred: true)
        }
        guard let found else { return nil }
        var value = found.value
        if let (file, offset, length) = found.deferred {
            value = try file.read(at: offset, count: length)
            guard value.count == length else { throw KVStoreError.io("pread", path: file.path, errno: EIO) }
        }
        return KVEntry(value: value, metadata: found.metadata, expiration: found.expiration == 0 ? nil : found.expiration)
    }

    /// `put` of a key given as bytes (which need not be UTF-8).
    /// - Throws: ``KVError`` with the platform's message for an invalid key, value, metadata or
    ///   expiration (nothing is written); ``KVStoreError`` when writing fails (nothing is kept).
    package func put(rawKey: [UInt8], value: [UInt8], options: KVPutOptions) throws {
        try put(batch: [(rawKey, value, options)])
    }

    /// `put` of several keys under one lock: all are checked first, so one invalid entry writes nothing.
    ///
    /// Every ``Tuning/maintenanceInterval`` writes it queues a background maintenance; it never
    /// runs one itself.
    /// - Throws: ``KVError`` with the platform's message; ``KVStoreError`` when writing fails (the
    ///   entries written before the failure stay).
    package func put(batch: [(key: [UInt8], value: [UInt8], options: KVPutOptions)]) throws {
        let now = clock.nowSeconds()
        var prepared: [(key: KVKey, record: [UInt8], entry: KVIndexEntry, value: [UInt8])] = []
        prepared.reserveCapacity(batch.count)
        for (rawKey, value, options) in batch {
            try KVLimits.checkKey(rawKey, method: "PUT")
            let expiration = try KVLimits.expiration(of: options, now: now) ?? 0
            let metadata = try KVLimits.metadataBytes(options.metadata)
            try KVLimits.checkValueLength(value.count)
            let record = KVLogRecord.encode(
                kind: .put,
                key: rawKey,
                metadata: metadata,
                value: value,
                expiration: expiration
            )
            let entry = KVIndexEntry(
                recordOffset: 0,
                recordLength: UInt32(record.count),
                valueLength: UInt32(value.count),
                expiration: expiration,
                metadata: options.metadata
            )
            prepared.append((KVKey(rawKey), record, entry, value))
        }
        let maintain = try state.withLock { state in
            try head.withWriterLock {
                try self.syncForWrite(&state, now: now)
                for item in prepared {
                    var entry = item.entry
                    entry.recordOffset = try state.log!.append(item.record)
                    head.store(generation: state.log!.generation, end: state.log!.end)
                    state.log!.index.set(item.key, entry)
                    state.cache.remove(item.key)
                    state.cache.insert(item.value, for: item.key)
                }
            }
            var maintain = false
            for _ in prepared where self.countWrite(&state) { maintain = true }
            return maintain
        }
        if maintain { scheduleMaintenance() }
    }

    /// `delete` of a key given as bytes (which need not be UTF-8).
    /// - Throws: ``KVError`` for an invalid key; ``KVStoreError`` when writing fails.
    package func delete(rawKey: [UInt8]) throws {
        try KVLimits.checkKey(rawKey, method: "DELETE")
        let now = clock.nowSeconds()
        let key = KVKey(rawKey)
        let record = KVLogRecord.encode(kind: .delete, key: rawKey, metadata: [], value: [], expiration: 0)
        let maintain = try state.withLock { state in
            let wrote = try head.withWriterLock { () throws -> Bool in
                try self.syncForWrite(&state, now: now)
                // Absent (or already expired) in an index that is current under the lock: nothing to record.
                guard let entry = state.log!.index[key], !entry.isExpired(at: now) else { return false }
                _ = try state.log!.append(record)
                head.store(generation: state.log!.generation, end: state.log!.end)
                state.log!.index.remove(key)
                return true
            }
            state.cache.remove(key)
            return wrote && self.countWrite(&state)
        }
        if maintain { scheduleMaintenance() }
    }

    /// Bytes the namespace uses on disk: the current log and the head file.
    /// - Throws: ``KVStoreError`` when closed or when `fstat` fails.
    package func diskUsage() throws -> Int64 {
        try state.withLock { state in
            guard let log = state.log else { throw KVStoreError.closed(directory) }
            return try log.file.size() + 4096
        }
    }
}
