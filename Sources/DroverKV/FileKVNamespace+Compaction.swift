import Drover

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maintenance: dropping expired keys, and compaction — rewriting the log into the next generation
/// with only the live records — without holding the lock that `get` and `put` wait on while the
/// log is copied.
///
/// A compaction holds the folder's ``KVCompactionLock`` throughout (one compaction at a time, in
/// any process) and takes the namespace lock and the writers' lock only for short steps:
///
/// 1. **Snapshot** (namespace lock): catch up, drop expired keys, note the file, its generation and
///    its end `S`.
/// 2. **Copy** (no lock): scan `[start, S)`; every few thousand `put` records, take the namespace
///    lock once to ask which of them the index still points at (same generation, same offset),
///    then append those to `log-<gen+1>.tmp` and to the new generation's index, off the lock. A
///    key overwritten or deleted after its batch was checked is copied anyway: its newer record
///    lies after `S` and comes with the tail, which is applied later and so wins.
/// 3. **Tail** (no lock): the records written meanwhile, `[S, A)` with `A` the end this process
///    has read, are copied verbatim and applied to the new index in order (deletes included), and
///    the new file is `fsync`ed; again from `A`, until a pass finds less than 1 MiB (at most eight
///    passes), so the locked step has little to copy and little to flush.
/// 4. **Swap** (namespace lock, then writers' lock): give up if the namespace was closed or the
///    generation changed; catch up with other processes' appends; copy and apply the last tail
///    `[A, end)`; check that the new index holds as many live keys as the current one; `fsync` the
///    new file, `rename` it to `log-<gen+1>`, `fsync` the folder (a failure there removes the new
///    log and keeps the old one), publish the new generation in the head, swap the state.
/// 5. **Retire** (no lock): write the head page to disk (`msync`), and only then unlink the old
///    log; if that write fails the old log stays until the next open removes it.
///
/// Expiry: the steps use the `now` read at the start; a key that expires during the copy may be
/// copied, is dropped from both indexes (at the latest `now`) before they are compared, and reads as
/// absent from its expiration on, as any expired key not yet reclaimed.
extension FileKVNamespace {
    /// Drops expired keys from the index and, when dead records make up enough of the log
    /// (``Tuning/reclaimDeadRatio``), rewrites it without them.
    ///
    /// Runs on the caller's thread; `get` and `put` from other threads go on meanwhile. Waits while
    /// another process compacts the same folder.
    /// - Throws: ``KVStoreError`` when the file system fails (the old log then stays in use).
    @discardableResult
    package func reclaimExpired() throws -> ReclaimReport {
        try maintain(force: false, minimumDeadBytes: 1, deadRatio: tuning.reclaimDeadRatio, wait: true)!
    }

    /// Rewrites the log with only live, unexpired records, whatever the share of dead ones.
    ///
    /// Runs on the caller's thread; `get` and `put` from other threads go on meanwhile. Waits while
    /// another process compacts the same folder.
    /// - Throws: ``KVStoreError`` when the file system fails (the old log then stays in use).
    @discardableResult
    package func compact() throws -> ReclaimReport {
        try maintain(force: true, minimumDeadBytes: 0, deadRatio: 0, wait: true)!
    }

    /// Queues a background maintenance on ``maintenanceQueue`` unless one is queued or running.
    func scheduleMaintenance() {
        guard maintenanceScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        maintenanceQueue.queue.async { [weak self] in
            guard let self else { return }
            defer { self.maintenanceScheduled.store(false, ordering: .releasing) }
            do {
                _ = try self.maintain(
                    force: false,
                    minimumDeadBytes: self.tuning.compactionMinimumDeadBytes,
                    deadRatio: self.tuning.compactionDeadRatio,
                    wait: false
                )
            } catch let error as KVStoreError where error.isKind(of: .closedFailure) {
                // Closed while queued: nothing left to maintain.
            } catch {
                self.logger.warning("KV maintenance of \(self.directory) failed: \(error)")
            }
        }
    }

    /// Drops expired keys, then compacts when forced, when the dead share is worthwhile, or when a
    /// writer stepped over damage. Returns `nil` only when `wait` is false and another compaction
    /// holds the folder.
    func maintain(force: Bool, minimumDeadBytes: Int64, deadRatio: Double, wait: Bool) throws -> ReclaimReport? {
        guard let lock = try KVCompactionLock(folder: directory, wait: wait) else { return nil }
        let now = clock.nowSeconds()
        let (expired, before, wanted) = try state.withLock { state in
            try self.syncForRead(&state, now: now)
            let expired = state.log!.index.removeExpired(at: now)
            let end = state.log!.end
            let records = end - KVLogRecord.firstRecordOffset
            let dead = records - state.log!.index.liveBytes
            let worthwhile = dead > 0 && dead >= minimumDeadBytes && Double(dead) >= deadRatio * Double(records)
            return (expired, end, force || worthwhile || state.rewriteWanted)
        }
        var after = before
        var compacted = false
        if wanted, let end = try compact(holding: lock, now: now) {
            after = end
            compacted = true
        }
        withExtendedLifetime(lock) {}
        return ReclaimReport(expiredKeys: expired, compacted: compacted, bytesBefore: before, bytesAfter: after)
    }

    /// After an open that stepped over damage: rewrites the log so the damage leaves it, unless
    /// another process already did (the generation moved on). A failure is logged and left to the
    /// next maintenance.
    func rewriteDamaged(generation: UInt64) {
        do {
            guard let lock = try KVCompactionLock(folder: directory, wait: true) else { return }
            if try compact(holding: lock, now: clock.nowSeconds(), onlyGeneration: generation) != nil {
                logger.warning("KV namespace \(directory): log rewritten without its damaged bytes")
            }
        } catch {
            logger.warning("KV namespace \(directory): rewriting the log without its damaged bytes failed: \(error)")
            state.withLock { $0.rewriteWanted = true }
        }
    }

    /// Step 3 stops once a pass copied less than this...
    private static let smallTail: Int64 = 1 << 20
    /// ...or after this many passes (writers faster than the copy).
    private static let tailPasses = 8

    /// What step 1 noted.
    private struct Snapshot {
        var file: KVLogFile
        var generation: UInt64
        var end: Int64
        var liveKeys: Int
        var sorted: Bool
    }

    /// The current log is no longer the one being compacted (another process switched generations).
    private struct Superseded: Error {}

    /// `put` records read in step 2, waiting for one locked look at the index.
    private struct CopyBatch {
        var candidates: [(key: KVKey, offset: Int64, bytes: Range<Int>)] = []
        var bytes: [UInt8] = []

        /// A few thousand records or a few MiB: one short lock per batch.
        var isFull: Bool { candidates.count >= 4096 || bytes.count >= 4 << 20 }

        mutating func add(_ view: KVLogRecord.View, at offset: Int64) {
            let start = bytes.count
            bytes.append(contentsOf: view.record)
            candidates.append((KVKey(Array(view.key)), offset, start..<bytes.count))
        }

        mutating func removeAll() {
            candidates.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// Compacts the current generation (see the extension's notes); returns the new log's size, or
    /// `nil` when it gave up because the log changed under it (or, with `onlyGeneration`, the
    /// current generation is another one).
    /// - Throws: ``KVStoreError`` when the file system fails or the namespace was closed: the
    ///   unfinished `.tmp` is removed and the old log stays in use.
    private func compact(holding lock: KVCompactionLock, now: Int64, onlyGeneration: UInt64? = nil) throws -> Int64? {
        // 1. Snapshot.
        let snapshot = try state.withLock { state -> Snapshot? in
            try self.syncForRead(&state, now: now)
            if let onlyGeneration, state.log!.generation != onlyGeneration { return nil }
            _ = state.log!.index.removeExpired(at: now)
            return Snapshot(
                file: state.log!.file,
                generation: state.log!.generation,
                end: state.log!.end,
                liveKeys: state.log!.index.count,
                sorted: state.log!.index.isSortedBuilt
            )
        }
        guard let snapshot else { return nil }
        let generation = KVSharedHead.next(after: snapshot.generation)
        let path = folder.logPath(generation)
        let temporary = folder.temporaryLogPath(generation)
        let output = try KVLogFile(path: temporary, create: true, truncate: true)
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        var writer = KVLogWriter(file: output)
        try KVLogRecord.fileHeader.withUnsafeBytes { try writer.append($0) }
        // Optional so that step 4 can swap it into the state without a second reference to its index.
        var next: KVLog? = KVLog(file: output, generation: generation, index: KVIndex(capacity: snapshot.liveKeys))
        do {
            // 2. The live records below the snapshot's end.
            var batch = CopyBatch()
            _ = try KVLogScanner.scan(snapshot.file, from: KVLogRecord.firstRecordOffset, to: snapshot.end) { view, offset in
                guard view.kind == .put else { return }
                batch.add(view, at: offset)
                if batch.isFull { try copyLive(&batch, of: snapshot, into: &writer, index: &next!.index) }
            }
            try copyLive(&batch, of: snapshot, into: &writer, index: &next!.index)
            next!.end = writer.position
            if snapshot.sorted { next!.index.prepareSorted() }

            // 3. The records written meanwhile, in passes, each followed by an `fsync`, until what
            //    is left for the locked step is small (writers may keep appending all along).
            var copied = snapshot.end
            for _ in 0..<Self.tailPasses {
                let acknowledged = try state.withLock { state -> Int64 in
                    guard state.log != nil else { throw KVStoreError.closed(directory) }
                    guard state.log!.file === snapshot.file else { throw Superseded() }
                    return state.log!.end
                }
                try copyTail(of: snapshot.file, copied..<acknowledged, into: &writer, log: &next!, now: now)
                try writer.flush()
                try output.sync()
                let passed = acknowledged - copied
                copied = acknowledged
                if passed < Self.smallTail { break }
            }

            // 4. Swap.
            try state.withLock { state in
                try head.withWriterLock {
                    guard state.log != nil else { throw KVStoreError.closed(directory) }
                    guard state.log!.file === snapshot.file, head.load().generation == snapshot.generation else {
                        throw Superseded()
                    }
                    try self.syncForWrite(&state, now: now)
                    try copyTail(of: snapshot.file, copied..<state.log!.end, into: &writer, log: &next!, now: now)
                    try writer.flush()
                    // Compare at the latest "now": a reader may have dropped a key that expired
                    // after `now` while following the tail, and the sweep must drop it here too.
                    let latest = max(now, clock.nowSeconds())
                    _ = next!.index.removeExpired(at: latest)
                    _ = state.log!.index.removeExpired(at: latest)
                    guard next!.index.count == state.log!.index.count else {
                        throw KVStoreError.notAStore(
                            snapshot.file.path,
                            "compaction found \(next!.index.count) of \(state.log!.index.count) live records"
                        )
                    }
                    try output.sync()
                    guard rename(temporary, path) == 0 else { throw KVStoreError.io("rename", path: temporary, errno: errno) }
                    renamed = true
                    // fsync(2): "Calling fsync() does not necessarily ensure that the entry in the
                    // directory containing the file has also reached disk."
                    do {
                        try tuning.compactionWillSyncFolder?()
                        try folder.sync()
                    } catch {
                        // Not known to be on disk: keep the old log, which the head still names.
                        unlink(path)
                        throw error
                    }
                    head.store(generation: generation, end: next!.end)
                    swap(&state.log, &next)  // `next` now holds the old generation, freed off the lock
                    state.rewriteWanted = false
                }
            }
        } catch is Superseded {
            logger.debug("KV log \(snapshot.file.path): compaction abandoned, the log was switched meanwhile")
            return nil
        }

        // 5. Retire the old log once the head page naming the new one is on disk.
        do {
            try head.sync()
            unlink(snapshot.file.path)
        } catch {
            logger.warning("KV log \(snapshot.file.path): kept until the next open, as the head could not be written: \(error)")
        }
        let end = writer.position
        logger.debug("KV log \(snapshot.file.path) compacted into \(path): \(end) bytes")
        return end
    }

    /// Step 2 for one batch: one locked look at the index, then the copy off the lock.
    private func copyLive(
        _ batch: inout CopyBatch,
        of snapshot: Snapshot,
        into writer: inout KVLogWriter,
        index: inout KVIndex
    ) throws {
        guard !batch.candidates.isEmpty else { return }
        let entries: [KVIndexEntry?] = try state.withLock { state in
            guard state.log != nil else { throw KVStoreError.closed(directory) }
            guard state.log!.file === snapshot.file else { throw Superseded() }
            return batch.candidates.map { candidate in
                guard let entry = state.log!.index[candidate.key], entry.recordOffset == candidate.offset else { return nil }
                return entry
            }
        }
        try batch.bytes.withUnsafeBytes { bytes in
            for (candidate, entry) in zip(batch.candidates, entries) {
                guard var entry else { continue }
                entry.recordOffset = writer.position
                try writer.append(UnsafeRawBufferPointer(rebasing: bytes[candidate.bytes]))
                index.set(candidate.key, entry)
            }
        }
        batch.removeAll()
        tuning.compactionBatchCopied?()
    }

    /// Steps 3 and 4: copies every record of `range` of the old log verbatim (deletes and
    /// overwritten puts too) and applies each to the new index in order, so the latest wins.
    private func copyTail(
        of file: KVLogFile,
        _ range: Range<Int64>,
        into writer: inout KVLogWriter,
        log: inout KVLog,
        now: Int64
    ) throws {
        guard !range.isEmpty else { return }
        let outcome = try KVLogScanner.scan(file, from: range.lowerBound, to: range.upperBound) { view, _ in
            let offset = writer.position
            try writer.append(view.record)
            KVLog.apply(view, at: offset, now: now, to: &log.index)
        }
        guard !outcome.tornTail else {
            throw KVStoreError.notAStore(file.path, "the records written during compaction end early, at offset \(outcome.end)")
        }
        log.end = writer.position
    }
}
