/// Hexadecimal, RFC 4648 §8's base 16: two digits per byte, most significant first. Stripe's
/// webhook signatures and many digests printed for people are in hex.
///
/// Encoding writes lower case (as `openssl dgst`, Node's `digest("hex")` and Stripe do); decoding
/// accepts either case and is strict otherwise: anything but an even number of hex digits gives
/// nil (see ``decode(_:)``), never a crash and never a partial result.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `bytes` as lower-case hex digits, two per byte: `[0xDE, 0xAD]` is `"dead"`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        return String(unsafeUninitializedCapacity: input.count * 2) { buffer in
            for (index, byte) in input.enumerated() {
                buffer[2 * index] = digits[Int(byte >> 4)]
                buffer[2 * index + 1] = digits[Int(byte & 0x0F)]
            }
            return input.count * 2
        }
    }

    /// The bytes `text` spells in hex, upper or lower case or a mix (`"DEad"` is `[0xDE, 0xAD]`), or
    /// nil when its length is odd or it holds anything but `0–9 a–f A–F` (whitespace, a `0x`
    /// prefix, a separator, a non-ASCII character). The empty text is the empty byte string.
    @inlinable
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        // Inlined so the caller's string type is known: one pass over the UTF-8 in place (a native
        // string's is contiguous). Stripe's signatures are decoded on every webhook.
        text.withUTF8Bytes(decode(utf8:))
    }

    /// ``decode(_:)`` of the bytes of a text.
    @usableFromInline
    static func decode(utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        let count = utf8.count / 2
        var valid = true
        let output = values.withUnsafeBufferPointer { values in
            [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
                for index in 0..<count {
                    let high = values[Int(utf8[2 * index])], low = values[Int(utf8[2 * index + 1])]
                    // A non-digit's value (0xFF) has bits above the four a digit has.
                    guard (high | low) & 0xF0 == 0 else {
                        valid = false
                        return
                    }
                    output[index] = high << 4 | low
                }
                initialized = count
            }
        }
        return valid ? output : nil
    }

    /// For each byte, its value as a hex digit in either case, or 0xFF.
    private static let values: [UInt8] = (0...255).map { PercentEncoding.hexValue(UInt8($0)) ?? 0xFF }
}
