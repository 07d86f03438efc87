/// Reads a stretch of the log sequentially, in large chunks, handing each valid record to a visitor,
/// and steps over damage to the valid records after it.
///
/// Where a record fails, the scanner tells two things apart:
/// - **Damage in the middle** (a flipped bit, a zeroed page): valid records follow. When the failed
///   record's header is self-consistent (its four lengths agree, so only the kind or the CRC is
///   wrong) the scanner skips exactly that record and never looks inside it. Otherwise the header
///   itself is damaged and the record's extent is unknown: the scanner moves forward one byte at a
///   time until a whole record parses with a valid CRC-32C (a random match needs four agreeing
///   lengths and a 32-bit checksum). Adjacent failures form one damaged stretch, reported with its
///   offset and length.
/// - **A torn tail**: no valid record follows before the limit, which is what a crashed append
///   leaves (a header promising more bytes than there are, or a last record whose bytes never
///   reached the disk). Damage that runs to the limit is treated the same way.
///
/// What the scan cannot know: when a damaged header hides a record whose value itself holds bytes
/// laid out as a valid record, the resynchronization may take those for a record. The CRC rules out
/// random bytes, not a value that is a copy of log records.
enum KVLogScanner {
    /// Where a scan stopped, and what it stepped over.
    struct Outcome {
        /// The offset after the last valid record: the limit, or where a torn tail starts.
        var end: Int64
        /// Damaged stretches with valid records after them, in order; their records were not visited.
        var damage: [Range<Int64>]
        /// Whether the bytes from ``end`` to the limit are not whole records (a torn tail).
        var tornTail: Bool
    }

    /// The read size: large enough that opening a big log is a few dozen reads.
    static let chunkSize = 8 << 20

    /// Visits the records from `start` up to `limit`, in order, stepping over damaged stretches.
    /// - Parameter visit: called with each valid record and its offset; the record's memory is valid
    ///   only during the call.
    /// - Throws: ``KVStoreError`` when reading fails, or what `visit` throws.
    static func scan(
        _ file: KVLogFile,
        from start: Int64,
        to limit: Int64,
        _ visit: (KVLogRecord.View, Int64) throws -> Void
    ) throws -> Outcome {
        var offset = start
        var end = start
        var damage: [Range<Int64>] = []
        // Where the damaged stretch being stepped over began.
        var damagedFrom: Int64? = nil
        // Whether `offset + position` is where a record starts (after a valid or an exactly skipped one);
        // false while searching byte by byte after a damaged header.
        var atBoundary = true
        var wanted = chunkSize
        reading: while offset < limit {
            let count = Int(min(Int64(wanted), limit - offset))
            let buffer = try file.read(at: offset, count: count)
            if buffer.isEmpty { break }  // the file is shorter than `limit`
            // Nothing lies beyond this buffer: a record that does not fit never will.
            let final = buffer.count < count || offset + Int64(buffer.count) >= limit
            var position = 0
            var stop = false
            var grow: Int? = nil
            try buffer.withUnsafeBytes { raw in
                parsing: while position < raw.count {
                    let here = offset + Int64(position)
                    switch KVLogRecord.parse(raw, at: position) {
                    case .record(let view):
                        if let from = damagedFrom {
                            damage.append(from..<here)
                            damagedFrom = nil
                        }
                        try visit(view, here)
                        position += view.record.count
                        end = offset + Int64(position)
                        atBoundary = true
                    case .incomplete(let length):
                        if !final {
                            // Read again from here, with room for the whole record.
                            if position == 0 { grow = length ?? KVLogRecord.headerSize }
                            break parsing
                        }
                        if atBoundary || length == nil {
                            // A header promising more than the file holds, at a record boundary (a
                            // crashed append), or less than a header left: the tail.
                            stop = true
                            break parsing
                        }
                        position += 1  // searching: a header promising too much is no record
                    case .damaged(let length):
                        if damagedFrom == nil { damagedFrom = here }
                        if atBoundary, let length {
                            position += length  // only the CRC or kind is wrong: skip exactly this record
                        } else {
                            position += 1
                            atBoundary = false
                        }
                    }
                }
            }
            offset += Int64(position)
            if stop { break reading }
            wanted = max(chunkSize, grow ?? 0)
        }
        // A damaged stretch with no valid record after it is a torn tail; `end` is where it starts.
        return Outcome(end: end, damage: damage, tornTail: end < limit)
    }
}
