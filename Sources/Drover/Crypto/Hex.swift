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
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for byte in utf8 {
            guard let value = PercentEncoding.hexValue(byte) else { return nil }
            if let first = high {
                output.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return output
    }
}
