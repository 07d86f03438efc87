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
/// per write, as SQLite in WAL mode with `synchronous=NORMAL`). Opening truncates a torn tail.
/// Expired and overwritten records are reclaimed by compaction into a new generation. Design:
/// `Docs/kv-store.md`.
///
/// Errors: the platform's ``KVError`` messages for invalid input; ``KVStoreError`` when the file
/// system fails (the store is then unchanged: a failed append is cut off again).
public final class FileKVNamespace: KVNamespace, Sendable {
    /// Knobs for tests and benchmarks; the defaults suit `drover dev`.
    public struct Tuning: Sendable {
        /// Bytes of values kept in memory for hot `get`s.
        public var cacheBytes: Int
        /// Values up to this size are cached.
        public var cacheableValueLength: Int
        /// Background maintenance (expiry sweep, compaction when worthwhile) runs after this many writes.
        public var maintenanceInterval: Int
        /// Background compaction runs when dead bytes reach this share of the log...
        public var compactionDeadRatio: Double
        /// ...and at least this many bytes.
        public var compactionMinimumDeadBytes: Int64
        /// An explicit ``FileKVNamespace/reclaimExpired()`` compacts when dead bytes reach this share
        /// (lower, so disk use stays near the live data when the runtime reclaims periodically).
        public var reclaimDeadRatio: Double

        /// The defaults: 64 MiB cache of values up to 16 KiB, maintenance every 1024 writes,
        /// compaction at a third of the log dead and at least 1 MiB, or at an eighth on explicit reclaim.
        public init(
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
    public struct ReclaimReport: Sendable, Equatable {
        /// Keys found expired and dropped from the index.
        public var expiredKeys: Int
        /// Whether the log was rewritten.
        public var compacted: Bool
        /// Log size before, in bytes.
        public var bytesBefore: Int64
        /// Log size after, in bytes.
        public var bytesAfter: Int64
    }

    /// The namespace folder.
    public let directory: String
    private let clock: any WallClock
    private let logger: Logger
    private let tuning: Tuning
    private let head: KVSharedHead
    private let state: Mutex<State>
    private let maintenanceScheduled = Atomic<Bool>(false)

    private struct State: Sendable {
        var log: KVLogFile?
        var generation: UInt64
        /// The end of the records this index reflects.
        var end: Int64
        var index = KVIndex()
        var cache: [KVKey: [UInt8]] = [:]
        var cacheBytes = 0
        var writesSinceMaintenance = 0
    }

    /// Opens (creating if needed) the namespace stored in `directory`.
    ///
    /// Reads the whole log to build the index, cutting off a torn tail left by a crashed writer
    /// (the cut bytes are kept beside it as `torn-<generation>-<offset>` for inspection).
    /// - Parameters:
    ///   - directory: the namespace folder, `<state>/kv/<namespace id>`; created with its parents
    ///     (mode 0700; files inside are created with 0600).
    ///   - clock: the source of "now" for expiry.
    ///   - logger: where recovery and compaction are reported.
    ///   - tuning: cache and maintenance knobs.
    /// - Throws: ``KVStoreError`` when the folder cannot be created or read, or holds another format.
    public init(directory: String, clock: any WallClock, logger: Logger, tuning: Tuning = Tuning()) throws {
        self.directory = directory
        self.clock = clock
        self.logger = logger
        self.tuning = tuning
        do {
            // Owner only, as every state file: values may be as private as `secrets.json`.
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw KVStoreError.folder(directory, error)
        }
        let head = try KVSharedHead(path: directory + "/head")
        self.head = head
        let opened = try head.withWriterLock { () throws -> State in
            var generation = head.load().generation
            if !FileManager.default.fileExists(atPath: Self.logPath(directory, generation)),
                let existing = Self.existingGenerations(directory).max()
            {
                // The head was lost (or is new) but a log is there: adopt it rather than start empty.
                logger.warning("KV namespace \(directory): head names log-\(generation), adopting log-\(existing)")
                generation = existing
            }
            let log = try KVLogFile(path: Self.logPath(directory, generation), create: true)
            let size = try log.size()
            if size == 0 {
                try KVLogRecord.fileHeader.withUnsafeBytes { try log.write($0, at: 0) }
            } else {
                let header = try log.read(at: 0, count: KVLogRecord.fileHeader.count)
                guard header.prefix(8) == KVLogRecord.fileHeader.prefix(8) else {
                    throw KVStoreError.notAStore(log.path, "unknown log file format")
                }
            }
            var state = State(log: log, generation: generation, end: KVLogRecord.firstRecordOffset)
            state.index = KVIndex(capacity: Int(max(size, 0) / 128))
            try Self.catchUp(
                &state,
                to: max(size, KVLogRecord.firstRecordOffset),
                truncatingTorn: true,
                now: clock.nowSeconds(),
                directory: directory,
                logger: logger
            )
            head.store(generation: generation, end: state.end)
            Self.removeStrayFiles(directory, keeping: generation)
            return state
        }
        self.state = Mutex(opened)
    }

    /// Opens the namespace in `directory`.
    public convenience init(directory: URL, clock: any WallClock, logger: Logger, tuning: Tuning = Tuning()) throws {
        try self.init(directory: directory.path, clock: clock, logger: logger, tuning: tuning)
    }

    /// Closes the namespace: later calls throw ``KVStoreError``. Reads already under way finish.
    public func close() {
        state.withLock { state in
            state.log = nil
            state.cache = [:]
            state.index = KVIndex()
        }
    }

    // MARK: - KVNamespace

    /// The value, metadata and expiration of `key`, or `nil` when absent or expired.
    /// - Throws: ``KVError`` for an invalid key or `cacheTtl`; ``KVStoreError`` when reading fails.
    public func getWithMetadata(_ key: String, cacheTtl: Int?) async throws -> KVEntry? {
        try getWithMetadata(rawKey: Array(key.utf8), cacheTtl: cacheTtl)
    }

    /// Up to 100 keys at once, as text or JSON; absent keys map to `nil`.
    /// - Throws: ``KVError`` with the platform's `GET_BULK` messages.
    public func get(_ keys: [String], type: KVBulkType) async throws -> [String: KVBulkValue?] {
        let rawKeys = keys.map { Array($0.utf8) }
        try KVLimits.checkBulk(rawKeys, type: type)
        let now = clock.nowSeconds()
        let values: [[UInt8]?] = try state.withLock { state in
            try self.syncForRead(&state, now: now)
            return try rawKeys.map { try self.readLocked(&state, KVKey($0), now: now)?.value }
        }
        var result: [String: KVBulkValue?] = [:]
        for (key, value) in zip(keys, values) {
            guard let value else {
                result[key] = .some(nil)
                continue
            }
            if type == .json {
                guard let json = try? JSONParser.parse(value) else { throw KVError(KVLimits.bulkNotJSON) }
                result[key] = .json(json)
            } else {
                result[key] = .text(String(decoding: value, as: UTF8.self))
            }
        }
        return result
    }

    /// Stores `value` under `key`; on return the record is written to the log (see the type's notes).
    /// - Throws: ``KVError`` with the platform's message (nothing written); ``KVStoreError`` on I/O failure.
    public func put(_ key: String, value: [UInt8], options: KVPutOptions) async throws {
        try put(rawKey: Array(key.utf8), value: value, options: options)
    }

    /// Removes `key`; an absent key is not an error.
    /// - Throws: ``KVError`` for an invalid key; ``KVStoreError`` on I/O failure.
    public func delete(_ key: String) async throws {
        try delete(rawKey: Array(key.utf8))
    }

    /// A page of keys in byte order, after the cursor, under the literal prefix.
    /// - Throws: ``KVError`` for a limit outside 1...1000.
    public func list(_ options: KVListOptions) async throws -> KVListResult {
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
                    entry.recordOffset = try self.append(&state, item.record)
                    state.index.set(item.key, entry)
                    self.uncache(&state, item.key)
                    if item.value.count <= tuning.cacheableValueLength { self.cache(&state, item.key, item.value) }
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
                guard let entry = state.index[key], !entry.isExpired(at: now) else { return false }
                _ = try self.append(&state, record)
                state.index.remove(key)
                return true
            }
            self.uncache(&state, key)
            return wrote && self.countWrite(&state)
        }
        if maintain { scheduleMaintenance() }
    }

    /// One listed key, with its raw bytes.
    package struct RawListedKey: Sendable {
        /// The key's bytes.
        package var bytes: [UInt8]
        var key: KVKey { KVKey(bytes) }
        /// Seconds since the epoch, if the key expires.
        package var expiration: Int64?
        /// The key's metadata.
        package var metadata: JSONValue?
    }

    /// A page of `list` over raw bytes: keys in byte order, and the cursor of the next page (`nil` when complete).
    package struct RawListPage: Sendable {
        /// The keys of the page.
        package var keys: [RawListedKey]
        /// Where the next page starts, or `nil` on the last page.
        package var cursor: String?
    }

    /// `list` with a prefix given as bytes.
    ///
    /// The prefix is literal; the cursor names the last key of the previous page and the next page
    /// starts after it ("start after"). A page that reaches the end carries no cursor.
    /// - Throws: ``KVError`` for a limit outside 1...1000 or a malformed cursor.
    package func list(rawPrefix prefix: [UInt8], limit: Int?, cursor: String?) throws -> RawListPage {
        let pageSize = try KVLimits.listLimit(limit)
        var after: [UInt8]? = nil
        if let cursor, !cursor.isEmpty {
            guard let data = Data(base64Encoded: cursor) else {
                throw KVError("KV GET failed: 400 Invalid cursor \(cursor). Use the cursor of a previous list.")
            }
            after = Array(data)
        }
        let now = clock.nowSeconds()
        return try state.withLock { state in
            try self.syncForRead(&state, now: now)
            state.index.prepareSorted()
            var position = state.index.lowerBound(prefix)
            if let after, KVKey.compare(after, prefix) >= 0 {
                position = state.index.upperBound(after)
            }
            var keys: [RawListedKey] = []
            var more = false
            while position < state.index.sortedCount {
                let key = state.index.sortedKey(at: position)
                position += 1
                guard key.hasPrefix(prefix) else { break }
                guard let entry = state.index[key], !entry.isExpired(at: now) else { continue }
                if keys.count == pageSize {
                    more = true
                    break
                }
                keys.append(
                    RawListedKey(
                        bytes: key.bytes,
                        expiration: entry.expiration == 0 ? nil : entry.expiration,
                        metadata: entry.metadata
                    )
                )
            }
            let next = more ? Data(keys[keys.count - 1].bytes).base64EncodedString() : nil
            return RawListPage(keys: keys, cursor: next)
        }
    }

    // MARK: - Maintenance

    /// Drops expired keys from the index and, when dead records make up enough of the log
    /// (``Tuning/compactionDeadRatio``), rewrites it without them.
    ///
    /// Runs by itself in the background every ``Tuning/maintenanceInterval`` writes; the runtime
    /// may also call it periodically.
    /// - Throws: ``KVStoreError`` when the file system fails (the old log then stays in use).
    @discardableResult
    public func reclaimExpired() throws -> ReclaimReport {
        try maintain(force: false, minimumDeadBytes: 1, deadRatio: tuning.reclaimDeadRatio)
    }

    /// Rewrites the log with only live, unexpired records, whatever the share of dead ones.
    /// - Throws: ``KVStoreError`` when the file system fails (the old log then stays in use).
    @discardableResult
    public func compact() throws -> ReclaimReport {
        try maintain(force: true, minimumDeadBytes: 0, deadRatio: 0)
    }

    /// Bytes the namespace uses on disk: the current log and the head file.
    public func diskUsage() throws -> Int64 {
        try state.withLock { state in
            guard let log = state.log else { throw KVStoreError.closed(directory) }
            return try log.size() + 4096
        }
    }

    private func maintain(force: Bool, minimumDeadBytes: Int64, deadRatio: Double) throws -> ReclaimReport {
        let now = clock.nowSeconds()
        return try state.withLock { state in
            try self.syncForRead(&state, now: now)
            let expired = state.index.removeExpired(at: now)
            let before = state.end
            let records = state.end - KVLogRecord.firstRecordOffset
            let dead = records - state.index.liveBytes
            let worthwhile =
                dead > 0 && dead >= minimumDeadBytes && Double(dead) >= deadRatio * Double(records)
            guard force || worthwhile else {
                return ReclaimReport(expiredKeys: expired, compacted: false, bytesBefore: before, bytesAfter: before)
            }
            try head.withWriterLock { try self.compactLocked(&state, now: now) }
            return ReclaimReport(expiredKeys: expired, compacted: true, bytesBefore: before, bytesAfter: state.end)
        }
    }

    private func scheduleMaintenance() {
        guard maintenanceScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        Task.detached { [weak self] in
            guard let self else { return }
            defer { self.maintenanceScheduled.store(false, ordering: .releasing) }
            do {
                _ = try self.maintain(
                    force: false,
                    minimumDeadBytes: self.tuning.compactionMinimumDeadBytes,
                    deadRatio: self.tuning.compactionDeadRatio
                )
            } catch {
                self.logger.warning("KV maintenance of \(self.directory) failed: \(error)")
            }
        }
    }

    private func countWrite(_ state: inout State) -> Bool {
        state.writesSinceMaintenance += 1
        guard state.writesSinceMaintenance >= tuning.maintenanceInterval else { return false }
        state.writesSinceMaintenance = 0
        return true
    }

    // MARK: - Locked internals

    private struct Found {
        var value: [UInt8]
        var deferred: (KVLogFile, Int64, Int)?
        var metadata: JSONValue?
        var expiration: Int64
    }

    private func readLocked(_ state: inout State, _ key: KVKey, now: Int64, allowDeferred: Bool = false) throws -> Found? {
        guard let log = state.log else { throw KVStoreError.closed(directory) }
        guard let entry = state.index[key], !entry.isExpired(at: now) else { return nil }
        if let cached = state.cache[key] {
            return Found(value: cached, metadata: entry.metadata, expiration: entry.expiration)
        }
        let length = Int(entry.valueLength)
        if allowDeferred && length > tuning.cacheableValueLength {
            return Found(
                value: [],
                deferred: (log, entry.valueOffset, length),
                metadata: entry.metadata,
                expiration: entry.expiration
            )
        }
        let value = try log.read(at: entry.valueOffset, count: length)
        guard value.count == length else { throw KVStoreError.io("pread", path: log.path, errno: EIO) }
        if length <= tuning.cacheableValueLength { cache(&state, key, value) }
        return Found(value: value, metadata: entry.metadata, expiration: entry.expiration)
    }

    private func cache(_ state: inout State, _ key: KVKey, _ value: [UInt8]) {
        let cost = value.count + key.bytes.count + 64
        if state.cacheBytes + cost > tuning.cacheBytes {
            state.cache.removeAll(keepingCapacity: true)
            state.cacheBytes = 0
        }
        state.cache[key] = value
        state.cacheBytes += cost
    }

    private func uncache(_ state: inout State, _ key: KVKey) {
        if let old = state.cache.removeValue(forKey: key) { state.cacheBytes -= old.count + key.bytes.count + 64 }
    }

    /// Brings the index up to what other writers have acknowledged (the shared head word): new
    /// records of this generation are read incrementally; a new generation is reloaded whole.
    private func syncForRead(_ state: inout State, now: Int64) throws {
        guard state.log != nil else { throw KVStoreError.closed(directory) }
        let published = head.load()
        if published.generation != state.generation {
            try reload(&state, now: now)
        } else if published.end > state.end {
            try Self.catchUp(
                &state,
                to: published.end,
                truncatingTorn: false,
                now: now,
                directory: directory,
                logger: logger,
                invalidateCache: true
            )
        }
    }

    /// Under the writer lock: brings the index up to the end of the file, cutting off a torn tail
    /// (under the lock no other writer is mid-append, so an incomplete last record is a crash's).
    private func syncForWrite(_ state: inout State, now: Int64) throws {
        guard state.log != nil else { throw KVStoreError.closed(directory) }
        if head.load().generation != state.generation { try reload(&state, now: now) }
        let size = try state.log!.size()
        if size > state.end {
            try Self.catchUp(
                &state,
                to: size,
                truncatingTorn: true,
                now: now,
                directory: directory,
                logger: logger,
                invalidateCache: true
            )
        } else if size < state.end {
            throw KVStoreError.notAStore(state.log!.path, "the log shrank from \(state.end) to \(size) bytes")
        }
    }

    /// Appends a record at the end; on failure cuts the file back so nothing partial stays.
    private func append(_ state: inout State, _ record: [UInt8]) throws -> Int64 {
        let log = state.log!
        let offset = state.end
        do {
            try record.withUnsafeBytes { try log.write($0, at: offset) }
        } catch {
            try? log.truncate(to: offset)
            throw error
        }
        state.end = offset + Int64(record.count)
        head.store(generation: state.generation, end: state.end)
        return offset
    }

    private func reload(_ state: inout State, now: Int64) throws {
        for _ in 0..<100 {
            let published = head.load()
            let log: KVLogFile
            do {
                log = try KVLogFile(path: Self.logPath(directory, published.generation), create: false)
            } catch {
                continue  // compacted again meanwhile: read the head anew
            }
            var fresh = State(log: log, generation: published.generation, end: KVLogRecord.firstRecordOffset)
            fresh.index = KVIndex(capacity: state.index.entries.count)
            try Self.catchUp(
                &fresh,
                to: published.end,
                truncatingTorn: false,
                now: now,
                directory: directory,
                logger: logger
            )
            fresh.writesSinceMaintenance = state.writesSinceMaintenance
            state = fresh
            return
        }
        throw KVStoreError.io("open", path: Self.logPath(directory, head.load().generation), errno: ENOENT)
    }

    /// Reads records from `state.end` to `limit` into the index.
    private static func catchUp(
        _ state: inout State,
        to limit: Int64,
        truncatingTorn: Bool,
        now: Int64,
        directory: String,
        logger: Logger,
        invalidateCache: Bool = false
    ) throws {
        let log = state.log!
        let start = state.end
        let outcome = try KVLogScanner.scan(log, from: start, to: limit) { view, offset in
            let key = KVKey(Array(view.key))
            if invalidateCache, let old = state.cache.removeValue(forKey: key) {
                state.cacheBytes -= old.count + key.bytes.count + 64
            }
            switch view.kind {
            case .delete:
                state.index.remove(key)
            case .put:
                if view.expiration != 0 && view.expiration <= now {
                    state.index.remove(key)
                    return
                }
                let metadata = view.metadataLength == 0 ? nil : try? JSONParser.parse(Array(view.metadata))
                state.index.set(
                    key,
                    KVIndexEntry(
                        recordOffset: offset,
                        recordLength: UInt32(view.record.count),
                        valueLength: UInt32(view.valueLength),
                        expiration: view.expiration,
                        metadata: metadata
                    )
                )
            }
        }
        state.end = outcome.end
        guard outcome.damaged else { return }
        if truncatingTorn {
            let size = try log.size()
            let tornPath = directory + "/torn-\(state.generation)-\(outcome.end)"
            if let torn = try? log.read(at: outcome.end, count: Int(min(size - outcome.end, 64 << 20))), !torn.isEmpty {
                _ = FileManager.default.createFile(
                    atPath: tornPath,
                    contents: Data(torn),
                    attributes: [.posixPermissions: 0o600]
                )
            }
            try log.truncate(to: outcome.end)
            logger.warning(
                "KV log \(log.path): cut off \(size - outcome.end) bytes of a torn write at offset \(outcome.end) (kept in \(tornPath))"
            )
        } else {
            logger.error("KV log \(log.path): damaged record at offset \(outcome.end) below the acknowledged end \(limit)")
        }
    }

    /// Under the writer lock: writes the live records into the next generation and switches to it.
    ///
    /// The new log is written under a temporary name, `fsync`ed and renamed (rename(2) is atomic),
    /// then the head word names it; only then is the old log unlinked. A crash at any point leaves
    /// the head naming a complete log; leftovers are removed by the next open.
    private func compactLocked(_ state: inout State, now: Int64) throws {
        try syncForWrite(&state, now: now)
        _ = state.index.removeExpired(at: now)
        let old = state.log!
        let generation = KVSharedHead.next(after: state.generation)
        let path = Self.logPath(directory, generation)
        let temporary = path + ".tmp"
        let output = try KVLogFile(path: temporary, create: true, truncate: true)
        var buffer = KVLogRecord.fileHeader
        buffer.reserveCapacity(4 << 20)
        var written: Int64 = 0
        var moves: [(KVKey, Int64)] = []
        moves.reserveCapacity(state.index.entries.count)
        do {
            let outcome = try KVLogScanner.scan(old, from: KVLogRecord.firstRecordOffset, to: state.end) { view, offset in
                guard view.kind == .put else { return }
                let key = KVKey(Array(view.key))
                guard let entry = state.index[key], entry.recordOffset == offset else { return }
                moves.append((key, written + Int64(buffer.count)))
                buffer.append(contentsOf: view.record)
                if buffer.count >= 4 << 20 {
                    try buffer.withUnsafeBytes { try output.write($0, at: written) }
                    written += Int64(buffer.count)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            guard !outcome.damaged, moves.count == state.index.entries.count else {
                throw KVStoreError.notAStore(old.path, "compaction found \(moves.count) of \(state.index.entries.count) live records")
            }
            try buffer.withUnsafeBytes { try output.write($0, at: written) }
            written += Int64(buffer.count)
            try output.sync()
            guard rename(temporary, path) == 0 else { throw KVStoreError.io("rename", path: temporary, errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        Self.syncDirectory(directory)
        for (key, offset) in moves { state.index.move(key, to: offset) }
        state.log = output
        state.generation = generation
        state.end = written
        head.store(generation: generation, end: written)
        unlink(old.path)
        logger.debug("KV log \(old.path) compacted into \(path): \(written) bytes, \(moves.count) keys")
    }

    private static func logPath(_ directory: String, _ generation: UInt64) -> String {
        directory + "/log-\(generation)"
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        Glibc.close(fd)
    }

    /// The generations of the complete logs in `directory`.
    private static func existingGenerations(_ directory: String) -> [UInt64] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.compactMap { name in
            guard name.hasPrefix("log-") else { return nil }
            return UInt64(name.dropFirst(4))
        }
    }

    /// Removes logs of other generations and unfinished compactions (call under the writer lock).
    private static func removeStrayFiles(_ directory: String, keeping generation: UInt64) {
        let keep = "log-\(generation)"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix("log-") && name != keep {
            unlink(directory + "/" + name)
        }
    }
}
