import Drover

/// One process's view of a log generation: the open file, how far its records have been read, and
/// the index built from them.
///
/// ``FileKVNamespace`` keeps the current one under its lock; a compaction builds the next one off
/// the lock and swaps it in. Reading the log into the index is here; what to do about a torn tail
/// or damage found on the way is in `KVLog+Recovery.swift`.
struct KVLog: Sendable {
    /// The generation's file.
    let file: KVLogFile
    /// The generation number (the `N` of `log-N`).
    let generation: UInt64
    /// The end of the records ``index`` reflects: always a record boundary.
    var end: Int64
    /// Where each live key's latest record is.
    var index: KVIndex

    /// What one pass over new records did.
    struct Applied {
        /// Where the scan stopped and what it stepped over.
        var outcome: KVLogScanner.Outcome
        /// The keys the records named, when asked for (their cached values are stale).
        var keys: [KVKey]
    }

    init(file: KVLogFile, generation: UInt64, end: Int64 = KVLogRecord.firstRecordOffset, index: KVIndex = KVIndex()) {
        self.file = file
        self.generation = generation
        self.end = end
        self.index = index
    }

    /// Reads the records from ``end`` up to `limit` into the index and moves ``end`` to where the
    /// valid records stop (the limit, or the start of a torn tail); damaged stretches between valid
    /// records are stepped over (see ``KVLogScanner``). Nothing on disk changes.
    /// - Parameters:
    ///   - now: puts already expired at `now` remove their key instead of setting it.
    ///   - collectingKeys: whether to return the keys the records named.
    /// - Throws: ``KVStoreError`` when reading fails (the index then holds the records read so far).
    mutating func apply(upTo limit: Int64, now: Int64, collectingKeys: Bool = false) throws -> Applied {
        var keys: [KVKey] = []
        var index = self.index
        self.index = KVIndex()  // one owner while it grows, so nothing is copied
        defer { self.index = index }
        let outcome = try KVLogScanner.scan(file, from: end, to: limit) { view, offset in
            let key = Self.apply(view, at: offset, now: now, to: &index)
            if collectingKeys { keys.append(key) }
        }
        end = outcome.end
        return Applied(outcome: outcome, keys: keys)
    }

    /// Applies one record, found at `offset` of this generation, to `index`; returns its key.
    @discardableResult
    static func apply(_ view: KVLogRecord.View, at offset: Int64, now: Int64, to index: inout KVIndex) -> KVKey {
        let key = KVKey(Array(view.key))
        switch view.kind {
        case .delete:
            index.remove(key)
        case .put:
            if view.expiration != 0 && view.expiration <= now {
                index.remove(key)
                break
            }
            let metadata = view.metadataLength == 0 ? nil : try? JSONParser.parse(Array(view.metadata))
            index.set(
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
        return key
    }

    /// Appends `record` at ``end`` (call under the writer lock); on failure cuts the file back so
    /// nothing partial stays. Returns the record's offset. The caller publishes the new end.
    /// - Throws: ``KVStoreError`` when `pwrite` fails.
    mutating func append(_ record: [UInt8]) throws -> Int64 {
        let offset = end
        do {
            try record.withUnsafeBytes { try file.write($0, at: offset) }
        } catch {
            try? file.truncate(to: offset)
            throw error
        }
        end = offset + Int64(record.count)
        return offset
    }
}
