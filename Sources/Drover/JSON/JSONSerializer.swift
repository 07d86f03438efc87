/// Writes ``JSONValue``s as JSON text the way `JSON.stringify` does: keys in insertion order,
/// integral doubles without a fraction, non-finite numbers as `null`.
public enum JSONSerializer {
    /// The compact form (no white space), as `JSON.stringify(value)`.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(value, into: &output, indent: nil, level: 0)
        return output
    }

    /// The compact form as a string.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The indented form, as `JSON.stringify(value, null, indent)`.
    public static func prettyString(_ value: JSONValue, indent: Int = 2) -> String {
        var output: [UInt8] = []
        write(value, into: &output, indent: indent, level: 0)
        return String(decoding: output, as: UTF8.self)
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8], indent: Int?, level: Int) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let integer):
            output.append(contentsOf: String(integer).utf8)
        case .double(let double):
            writeDouble(double, into: &output)
        case .string(let text):
            writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(into: &output, indent: indent, level: level + 1)
                write(element, into: &output, indent: indent, level: level + 1)
            }
            if !elements.isEmpty { newline(into: &output, indent: indent, level: level) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (offset, member) in object.pairs.enumerated() {
                if offset > 0 { output.append(UInt8(ascii: ",")) }
                newline(into: &output, indent: indent, level: level + 1)
                writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                if indent != nil { output.append(UInt8(ascii: " ")) }
                write(member.value, into: &output, indent: indent, level: level + 1)
            }
            if !object.isEmpty { newline(into: &output, indent: indent, level: level) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(into output: inout [UInt8], indent: Int?, level: Int) {
        guard let indent else { return }
        output.append(0x0A)
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    private static func writeDouble(_ double: Double, into output: inout [UInt8]) {
        guard double.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        // Integral values that fit in 64 bits print as integers (the common case, and exact).
        if let integer = Int64(exactly: double) {
            output.append(contentsOf: String(integer).utf8)
            return
        }
        output.append(contentsOf: javaScriptString(double).utf8)
    }

    /// ECMAScript Number::toString (ECMA-262 §6.1.6.1.20) for a finite, non-zero double: the
    /// shortest round-trip digits (Swift's `description` finds the same ones), placed the way
    /// JavaScript places them — plain notation for exponents in [-7, 21), `1e+21`/`1.5e-7` outside.
    static func javaScriptString(_ double: Double) -> String {
        if double == 0 { return "0" }
        // Swift writes "123.45", "1e-05", "1.5e+20" or "5e-324": split off digits and exponent.
        let swift = String(double.magnitude)
        var mantissa = Substring(swift)
        var exponent = 0
        if let e = swift.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = swift[..<e]
            exponent = Int(swift[swift.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var pointPosition = 0  // digits before the decimal point
        var seenPoint = false
        for byte in mantissa.utf8 {
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else {
                digits.append(byte)
                if !seenPoint { pointPosition += 1 }
            }
        }
        pointPosition += exponent
        while digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        // Now value = 0.d1d2...dk × 10^n, with k digits and n = pointPosition (the spec's k and n).
        let k = digits.count
        let n = pointPosition
        var text = double < 0 ? "-" : ""
        let digitText = String(decoding: digits, as: UTF8.self)
        if k <= n && n <= 21 {
            text += digitText + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            text += String(digitText.prefix(n)) + "." + String(digitText.dropFirst(n))
        } else if -6 < n && n <= 0 {
            text += "0." + String(repeating: "0", count: -n) + digitText
        } else {
            let power = n - 1
            text += String(digitText.prefix(1))
            if k > 1 { text += "." + String(digitText.dropFirst()) }
            text += "e" + (power < 0 ? "-" : "+") + String(power.magnitude)
        }
        return text
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text.
    public var description: String { JSONSerializer.string(self) }
}
