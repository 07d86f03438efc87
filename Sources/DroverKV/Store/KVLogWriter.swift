/// Appends records to a log being written from scratch (a compaction's new generation), gathering
/// them into large `pwrite`s.
struct KVLogWriter {
    /// The file written.
    let file: KVLogFile
    /// Where the next record goes: the bytes written plus those still buffered.
    private(set) var position: Int64 = 0
    private var written: Int64 = 0
    private var buffer: [UInt8] = []
    private static let flushSize = 4 << 20

    init(file: KVLogFile) {
        self.file = file
        buffer.reserveCapacity(Self.flushSize)
    }

    /// Appends `bytes`; writes the buffer out when it is full.
    /// - Throws: ``KVStoreError`` when `pwrite` fails.
    mutating func append(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        position += Int64(bytes.count)
        if buffer.count >= Self.flushSize { try flush() }
    }

    /// Writes out what is buffered.
    /// - Throws: ``KVStoreError`` when `pwrite` fails.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let at = written
        try buffer.withUnsafeBytes { try file.write($0, at: at) }
        written += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }
}
