/// Percent-encoding and decoding (RFC 3986 §2.1).
public enum PercentEncoding {
    /// Decodes `%XX` sequences; invalid sequences stay as they are. Bytes that are not UTF-8
    /// become U+FFFD.
    public static func decode<S: StringProtocol>(_ text: S) -> String {
        String(decoding: decodeBytes(text, plusAsSpace: false), as: UTF8.self)
    }

    /// Decodes `%XX` sequences and `+` as space (`application/x-www-form-urlencoded`).
    public static func decodeForm<S: StringProtocol>(_ text: S) -> String {
        String(decoding: decodeBytes(text, plusAsSpace: true), as: UTF8.self)
    }

    /// Decodes `%XX` sequences into raw bytes.
    public static func decodeBytes<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// Encodes everything but RFC 3986 unreserved characters.
    public static func encode<S: StringProtocol>(_ text: S) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }

    /// The value of a hex digit in either case, or nil.
    package static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
