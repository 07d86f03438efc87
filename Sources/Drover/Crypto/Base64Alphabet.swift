/// One of RFC 4648's two base64 alphabets, with the strict codec ``Base64`` and ``Base64URL``
/// share. Base64 is an encoding, not cryptography, so it is plain Swift rather than libcrypto
/// (whose `EVP_DecodeBlock` skips whitespace and keeps padding bytes in its output).
struct Base64Alphabet: Sendable {
    /// `A–Z a–z 0–9 + /` (RFC 4648 §4).
    static let standard = Base64Alphabet(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8))
    /// `A–Z a–z 0–9 - _` (RFC 4648 §5).
    static let url = Base64Alphabet(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8))

    private static let invalid: UInt8 = 0xFF
    private let symbols: [UInt8]
    /// For each byte, its 6-bit value, or `invalid`.
    private let values: [UInt8]

    private init(_ symbols: [UInt8]) {
        self.symbols = symbols
        var values = [UInt8](repeating: Self.invalid, count: 256)
        for (value, symbol) in symbols.enumerated() { values[Int(symbol)] = UInt8(value) }
        self.values = values
    }

    /// Whether `byte` is one of the 64 symbols (padding `=` is not).
    func contains(_ byte: UInt8) -> Bool {
        values[Int(byte)] != Self.invalid
    }

    /// `bytes` in this alphabet, `=`-padded to a multiple of 4 characters when `padding` is set.
    func encode(_ bytes: some Sequence<UInt8>, padding: Bool) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            for shift in [18, 12, 6, 0] as [UInt32] { output.append(symbols[Int(group >> shift & 0x3F)]) }
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let group = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            output.append(symbols[Int(group >> 18 & 0x3F)])
            output.append(symbols[Int(group >> 12 & 0x3F)])
            if rest == 2 { output.append(symbols[Int(group >> 6 & 0x3F)]) }
            if padding { output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - rest)) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes `text` encodes, or nil unless it is canonical base64 in this alphabet, padded
    /// (length a multiple of 4, one or two `=` completing the last group) or unpadded (no `=`).
    /// Refused: any other character (whitespace, the other alphabet's two symbols, non-ASCII), a
    /// misplaced `=`, a length that leaves a single character in the last group, and set bits
    /// after the last byte (`Zh==`), so each byte string has exactly two accepted spellings.
    func decode(_ text: some StringProtocol) -> [UInt8]? {
        text.withUTF8Bytes(decode(utf8:))
    }

    /// ``decode(_:)`` of the bytes of a text.
    func decode(utf8 input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: Self.decodedCapacity(input.count)) { output, initialized in
            guard let written = decode(utf8: input, into: output) else {
                valid = false
                return
            }
            initialized = written
        }
        return valid ? output : nil
    }

    /// The most bytes `count` symbols decode to: room enough for ``decode(utf8:into:)``.
    static func decodedCapacity(_ count: Int) -> Int {
        count / 4 * 3 + 2
    }

    /// ``decode(utf8:)`` into `output`, which has room for ``decodedCapacity(_:)`` bytes: how many
    /// it wrote, or nil when `input` is not canonical.
    func decode(utf8 input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var end = input.count
        if end % 4 == 0, end > 0, input[end - 1] == UInt8(ascii: "=") {
            end -= input[end - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        guard end % 4 != 1, output.count >= Self.decodedCapacity(end) else { return nil }
        return values.withUnsafeBufferPointer { values -> Int? in
            // A group of four symbols at a time; an invalid symbol's value (0xFF) sets bits above
            // the six a symbol has, so one test per group finds any.
            var position = 0
            var written = 0
            // Eight symbols (six bytes) at a time while at least four more follow, so the 8-byte
            // store, two bytes past the six, stays inside the room the rest will fill anyway.
            let raw = UnsafeMutableRawBufferPointer(output)
            while position + 12 <= end {
                var bits: UInt64 = 0
                var check: UInt8 = 0
                for offset in 0..<8 {
                    let value = values[Int(input[position + offset])]
                    check |= value
                    bits = bits << 6 | UInt64(value)
                }
                guard check & 0xC0 == 0 else { return nil }
                raw.storeBytes(of: (bits << 16).bigEndian, toByteOffset: written, as: UInt64.self)
                position += 8
                written += 6
            }
            while position + 4 <= end {
                let a = UInt32(values[Int(input[position])]), b = UInt32(values[Int(input[position + 1])])
                let c = UInt32(values[Int(input[position + 2])]), d = UInt32(values[Int(input[position + 3])])
                guard (a | b | c | d) & 0xC0 == 0 else { return nil }
                let group = a << 18 | b << 12 | c << 6 | d
                output[written] = UInt8(group >> 16 & 0xFF)
                output[written + 1] = UInt8(group >> 8 & 0xFF)
                output[written + 2] = UInt8(group & 0xFF)
                position += 4
                written += 3
            }
            var group: UInt32 = 0
            for symbol in input[position..<end] {
                let value = values[Int(symbol)]
                guard value != Self.invalid else { return nil }
                group = group << 6 | UInt32(value)
            }
            switch end % 4 {
            case 2:  // 12 bits: one byte and 4 bits that must be zero
                guard group & 0x0F == 0 else { return nil }
                output[written] = UInt8(group >> 4 & 0xFF)
                written += 1
            case 3:  // 18 bits: two bytes and 2 bits that must be zero
                guard group & 0x03 == 0 else { return nil }
                output[written] = UInt8(group >> 10 & 0xFF)
                output[written + 1] = UInt8(group >> 2 & 0xFF)
                written += 2
            default: break
            }
            return written
        }
    }
}
