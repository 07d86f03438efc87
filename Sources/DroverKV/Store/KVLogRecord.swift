/// The on-disk record of the append-only log: one `put` or `delete`, checksummed.
///
/// ```
/// offset size
///  0      4   CRC-32C of bytes 4..<length
///  4      4   length of the whole record, header included
///  8      1   kind: 1 put, 2 delete
///  9      1   reserved (0)
/// 10      2   key length
/// 12      2   metadata length (serialized JSON, 0 = none)
/// 14      4   value length
/// 18      8   expiration, seconds since the epoch (0 = none)
/// 26          key, metadata, value
/// ```
/// All integers little-endian. A record whose checksum or lengths do not hold is torn (at the end of
/// the log) or damaged (before a valid record): see ``KVLogScanner``.
enum KVLogRecord {
    /// What a record does.
    enum Kind: UInt8 {
        case put = 1
        case delete = 2
    }

    /// The size of the record header.
    static let headerSize = 26
    /// The log file's header: magic and format version, then reserved bytes.
    static let fileHeader: [UInt8] = Array("DRVKVLG1".utf8) + [UInt8](repeating: 0, count: 8)
    /// Where the first record starts.
    static let firstRecordOffset = Int64(fileHeader.count)
    /// The longest record the format accepts (anything longer is damage).
    static let maximumRecordLength =
        headerSize + 65_535 + 65_535 + KVLimits.maximumValueLength

    /// One record, as found in a buffer.
    struct View {
        var kind: Kind
        /// The record's bytes, header included.
        var record: UnsafeRawBufferPointer
        var keyLength: Int
        var metadataLength: Int
        var valueLength: Int
        var expiration: Int64

        var key: UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: record[headerSize..<headerSize + keyLength])
        }

        var metadata: UnsafeRawBufferPointer {
            let start = headerSize + keyLength
            return UnsafeRawBufferPointer(rebasing: record[start..<start + metadataLength])
        }
    }

    /// What is at an offset of a buffer.
    enum Parse {
        /// A whole, valid record.
        case record(View)
        /// The header or body runs past the buffer; `length` is the record length when the header was
        /// read and its four lengths agree.
        case incomplete(length: Int?)
        /// Bytes that are not a valid record. `length` is set when the header's lengths agree with each
        /// other and the record fits in the buffer, so only its kind or checksum is wrong: the record's
        /// extent is then known (a bit flip inside one record), and a reader skips exactly that much.
        case damaged(length: Int?)
    }

    /// Encodes a record.
    static func encode(kind: Kind, key: [UInt8], metadata: [UInt8], value: [UInt8], expiration: Int64) -> [UInt8] {
        let length = headerSize + key.count + metadata.count + value.count
        var bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt32(0), toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt32(length).littleEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: kind.rawValue, toByteOffset: 8, as: UInt8.self)
            raw.storeBytes(of: UInt8(0), toByteOffset: 9, as: UInt8.self)
            raw.storeBytes(of: UInt16(key.count).littleEndian, toByteOffset: 10, as: UInt16.self)
            raw.storeBytes(of: UInt16(metadata.count).littleEndian, toByteOffset: 12, as: UInt16.self)
            raw.storeBytes(of: UInt32(value.count).littleEndian, toByteOffset: 14, as: UInt32.self)
            raw.storeBytes(of: expiration.littleEndian, toByteOffset: 18, as: Int64.self)
            var offset = headerSize
            for part in [key, metadata, value] where !part.isEmpty {
                part.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: raw[offset..<offset + part.count]).copyMemory(from: source)
                }
                offset += part.count
            }
            count = length
        }
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[4...])) }
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: 0, as: UInt32.self) }
        return bytes
    }

    /// Parses the record at `offset` of `buffer`.
    static func parse(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Parse {
        let available = buffer.count - offset
        guard available >= headerSize else { return .incomplete(length: nil) }
        let base = buffer.baseAddress! + offset
        let length = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        let rawKind = base.loadUnaligned(fromByteOffset: 8, as: UInt8.self)
        let keyLength = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 10, as: UInt16.self)))
        let metadataLength = Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 12, as: UInt16.self)))
        let valueLength = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 14, as: UInt32.self)))
        // Four lengths that must agree: random bytes (a zeroed page, a flipped length) almost never do.
        guard length == headerSize + keyLength + metadataLength + valueLength, length <= maximumRecordLength else {
            return .damaged(length: nil)
        }
        guard available >= length else { return .incomplete(length: length) }
        let record = UnsafeRawBufferPointer(start: base, count: length)
        let stored = UInt32(littleEndian: base.loadUnaligned(as: UInt32.self))
        guard let kind = Kind(rawValue: rawKind),
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: record[4...])) == stored
        else { return .damaged(length: length) }
        let expiration = Int64(littleEndian: base.loadUnaligned(fromByteOffset: 18, as: Int64.self))
        return .record(
            View(
                kind: kind,
                record: record,
                keyLength: keyLength,
                metadataLength: metadataLength,
                valueLength: valueLength,
                expiration: expiration
            )
        )
    }
}
