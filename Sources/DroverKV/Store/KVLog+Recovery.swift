import Drover

extension KVLog {
    /// Under the writer lock: reads the records up to `limit` (the file's size) into the index and
    /// cuts off a torn tail.
    ///
    /// Under the lock no writer is mid-append, so a last record that is incomplete or fails its CRC
    /// is a crashed writer's: its bytes are copied aside to `torn-<generation>-<offset>` and cut off
    /// the log. The copy aside is for inspection only: when it cannot be made (a full disk) the
    /// warning says so and the cut goes on.
    /// - Returns: the keys the records named, when asked for.
    /// - Throws: ``KVStoreError`` when reading or truncating fails.
    mutating func recover(
        upTo limit: Int64,
        now: Int64,
        folder: KVFolder,
        logger: Logger,
        collectingKeys: Bool = false
    ) throws -> [KVKey] {
        let applied = try apply(upTo: limit, now: now, collectingKeys: collectingKeys)
        if applied.outcome.damaged {
            let size = try file.size()
            if size > end {
                let aside = keepAside("torn", end..<size, folder: folder)
                try file.truncate(to: end)
                logger.warning("KV log \(file.path): cut off \(size - end) bytes of a torn write at offset \(end) (\(aside))")
            }
        }
        return applied.keys
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
    /// into the index; a damaged record is reported, nothing on disk is changed. Returns the keys
    /// the records named.
    /// - Throws: ``KVStoreError`` when reading fails.
    mutating func follow(upTo limit: Int64, now: Int64, logger: Logger) throws -> [KVKey] {
        let applied = try apply(upTo: limit, now: now, collectingKeys: true)
        if applied.outcome.damaged {
            logger.error("KV log \(file.path): damaged record at offset \(end) below the acknowledged end \(limit)")
        }
        return applied.keys
    }
}
