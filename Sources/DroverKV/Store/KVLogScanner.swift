/// Reads a stretch of the log sequentially, in large chunks, handing each valid record to a visitor.
enum KVLogScanner {
    /// Where a scan stopped.
    struct Outcome {
        /// The offset after the last valid record.
        var end: Int64
        /// Whether the scan stopped at a torn or damaged record before the limit.
        var damaged: Bool
    }

    /// The read size: large enough that opening a big log is a few dozen reads.
    static let chunkSize = 8 << 20

    /// Visits the records from `start` up to `limit`, in order.
    /// - Parameter visit: called with each record and its offset; the record's memory is valid only
    ///   during the call.
    static func scan(
        _ file: KVLogFile,
        from start: Int64,
        to limit: Int64,
        _ visit: (KVLogRecord.View, Int64) throws -> Void
    ) throws -> Outcome {
        var offset = start
        var wanted = chunkSize
        while offset < limit {
            let count = Int(min(Int64(wanted), limit - offset))
            let buffer = try file.read(at: offset, count: count)
            let shortRead = buffer.count < count
            var position = 0
            var damaged = false
            var grow: Int? = nil
            try buffer.withUnsafeBytes { raw in
                parsing: while position < raw.count {
                    switch KVLogRecord.parse(raw, at: position) {
                    case .record(let view):
                        try visit(view, offset + Int64(position))
                        position += view.record.count
                    case .incomplete(let length):
                        let needed = length ?? KVLogRecord.headerSize
                        if shortRead || offset + Int64(position) + Int64(needed) > limit {
                            damaged = true
                        } else if position == 0 {
                            grow = needed
                        }
                        break parsing
                    case .damaged:
                        damaged = true
                        break parsing
                    }
                }
            }
            offset += Int64(position)
            if damaged || (buffer.isEmpty && count > 0) { return Outcome(end: offset, damaged: true) }
            wanted = max(chunkSize, grow ?? 0)
        }
        return Outcome(end: offset, damaged: false)
    }
}
