import Drover

extension KVLog {
    /// Under the writer lock: reads the records up to `limit` (the file's size) into the index and
    /// repairs what a crash or damage left.
    ///
    /// - A **torn tail** (no valid record after the failure; see ``KVLogScanner``): under the lock no
    ///   writer is mid-append, so it is a crashed writer's. Its bytes are copied aside to
    ///   `torn-<generation>-<offset>` and cut off the log.
    /// - **Damage in the middle** (valid records after it): the records after it are indexed; each
    ///   damaged stretch is copied aside to `damaged-<generation>-<offset>` and reported with its
    ///   offset and length. The index then reads as if the damaged records had never been written:
    ///   a key whose latest record was damaged has its previous value again, or none. The caller
    ///   should rewrite the log (a compaction copies only indexed records) so the damage leaves it.
    /// - Returns: the keys the records named (when asked for), and whether damage was found in the middle.
    ///
    /// The copies aside are for inspection only: when one cannot be made (a full disk) the warning
    /// says so and the repair goes on.
    /// - Throws: ``KVStoreError`` when reading or truncating fails.
    mutating func recover(
        upTo limit: Int64,
        now: Int64,
        folder: KVFolder,
        logger: Logger,
        collectingKeys: Bool = false
    ) throws -> (keys: [KVKey], damaged: Bool) {
        let applied = try apply(upTo: limit, now: now, collectingKeys: collectingKeys)
        let outcome = applied.outcome
        for stretch in outcome.damage {
            let aside = keepAside("damaged", stretch, folder: folder)
            logger.warning(
                "KV log \(file.path): skipped \(stretch.count) damaged bytes at offset \(stretch.lowerBound); the records after them are kept (\(aside))"
            )
        }
        if outcome.tornTail {
            let size = try file.size()
            if size > outcome.end {
                let aside = keepAside("torn", outcome.end..<size, folder: folder)
                try file.truncate(to: outcome.end)
                logger.warning(
                    "KV log \(file.path): cut off \(size - outcome.end) bytes of a torn write at offset \(outcome.end) (\(aside))"
                )
            }
        }
        return (applied.keys, !outcome.damage.isEmpty)
    }

    /// Copies `range` aside; returns the words for the warning.
    private func keepAside(_ kind: String, _ range: Range<Int64>, folder: KVFolder) -> String {
        do {
            return "kept in " + (try folder.keepAside(kind, of: file, generation: generation, range: range))
        } catch {
            return "not kept aside: \(error)"
        }
    }

    /// Without the writer lock: reads the records up to `limit` (the end other writers acknowledged)
    /// into the index. Damage is stepped over and reported; nothing on disk is changed (the next
    /// writer repairs it under the lock). Returns the keys the records named.
    /// - Throws: ``KVStoreError`` when reading fails.
    mutating func follow(upTo limit: Int64, now: Int64, logger: Logger) throws -> [KVKey] {
        let applied = try apply(upTo: limit, now: now, collectingKeys: true)
        let outcome = applied.outcome
        for stretch in outcome.damage {
            logger.error(
                "KV log \(file.path): stepped over \(stretch.count) damaged bytes at offset \(stretch.lowerBound) below the acknowledged end \(limit)"
            )
        }
        if outcome.tornTail {
            logger.error("KV log \(file.path): damaged record at offset \(outcome.end) below the acknowledged end \(limit)")
        }
        return applied.keys
    }
}
