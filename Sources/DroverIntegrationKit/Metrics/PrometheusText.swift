/// The pieces of the Prometheus text exposition format 0.0.4 that are not plain concatenation:
/// the name rules, the two escapings and the spelling of a sample value. Everything the kit (and
/// through it the runtime's `/__drover/metrics`) writes in that format goes through these.
///
/// The rules, from the format's description ("Text format details") and the data model page:
/// - metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`; label names match `[a-zA-Z_][a-zA-Z0-9_]*`
///   (no colon), and names starting with `__` are reserved for Prometheus itself;
/// - in `# HELP` text, `\` is written `\\` and a line feed `\n`;
/// - in a label value, `\` is written `\\`, `"` is written `\"` and a line feed `\n`;
/// - a value is a float as Go's `ParseFloat` reads it, with `+Inf`, `-Inf` and `NaN` spelled so.
package enum PrometheusText {
    /// Whether `name` may name a metric: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        isValidName(name, allowsColon: true)
    }

    /// Whether `name` may name a label: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`.
    static func isValidLabelName(_ name: String) -> Bool {
        isValidName(name, allowsColon: false) && !name.hasPrefix("__")
    }

    private static func isValidName(_ name: String, allowsColon: Bool) -> Bool {
        guard let first = name.utf8.first else { return false }
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_") || (allowsColon && byte == UInt8(ascii: ":"))
        }
        return isLetter(first) && name.utf8.dropFirst().allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// `text` as `# HELP` text: backslash and line feed escaped.
    static func escapeHelp(_ text: String) -> String {
        escape(text, quote: false)
    }

    /// `value` as a label value between its double quotes: backslash, double quote and line feed
    /// escaped, so no value can end its label or start a line of its own.
    package static func escapeLabelValue(_ value: String) -> String {
        escape(value, quote: true)
    }

    private static func escape(_ text: String, quote: Bool) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0x0A || (quote && $0 == UInt8(ascii: "\"")) }) else {
            return text
        }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"" where quote: escaped += "\\\""
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// `value` as the client libraries write it: `+Inf`, `-Inf`, `NaN`; a whole number that fits
    /// in 64 bits as plain digits (`0`, `3`, `1000000`, never `1e+06` or `3.0`); anything else as
    /// the shortest text that reads back as the same `Double` (`0.25`, `1e-05`, `1.5e+20`).
    static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if let integer = Int64(exactly: value) { return String(integer) }
        return value.description
    }
}
