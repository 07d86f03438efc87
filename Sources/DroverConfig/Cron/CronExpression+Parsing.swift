/// The grammar of each field, as Cloudflare's cron parser, saffron, reads it
/// (https://github.com/cloudflare/saffron, `saffron/src/parse.rs`: `expr`, `ors_expr`, `dom_expr`,
/// `dow_expr`, and the `Step` bounds).
extension CronExpression {
    /// One field's name, values and value names.
    struct Field: Sendable, Equatable {
        let name: String
        let range: ClosedRange<Int>
        /// Names for the values from `range.lowerBound` on, matched case-insensitively.
        let names: [String]

        static let minute = Field(name: "minute", range: 0...59, names: [])
        static let hour = Field(name: "hour", range: 0...23, names: [])
        static let dayOfMonth = Field(name: "day-of-month", range: 1...31, names: [])
        static let month = Field(
            name: "month",
            range: 1...12,
            names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        )
        static let dayOfWeek = Field(name: "day-of-week", range: 1...7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])

        /// A step runs from 1 to the width of the range (saffron's `Step<E>`: `E::MAX - E::MIN`).
        var steps: ClosedRange<Int> { 1...(range.upperBound - range.lowerBound) }
    }

    /// A piece of the expression and its 0-based character offset.
    typealias Token = (text: Substring, offset: Int)

    /// Why `0` is refused in the day-of-week field (Unix cron's Sunday is no day on Cloudflare).
    static let zeroWeekdayMessage =
        "day-of-week 0 is not a day on Cloudflare: days are 1-7 with 1 = Sunday; write SUN-SAT to be unambiguous"

    private static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A value: digits within the field's range, or one of its names.
    static func value(_ token: Token, _ field: Field) throws(ParseError) -> Int {
        let text = token.text
        guard !text.isEmpty else { throw ParseError(message: "missing \(field.name) value", offset: token.offset) }
        if isDigits(text) {
            let number = Int(text) ?? Int.max
            if field == .dayOfWeek && number == 0 { throw ParseError(message: zeroWeekdayMessage, offset: token.offset) }
            guard field.range.contains(number) else {
                throw ParseError(
                    message: "\(field.name) \(text) is outside \(field.range.lowerBound)-\(field.range.upperBound)",
                    offset: token.offset
                )
            }
            return number
        }
        if let index = field.names.firstIndex(of: text.uppercased()) { return field.range.lowerBound + index }
        let hint = text == "?" ? ": Cloudflare does not take '?'; write *" : ""
        throw ParseError(message: "invalid \(field.name) '\(text)'\(hint)", offset: token.offset)
    }

    /// A field of values, ranges and steps (minute, hour, month, and the plain forms of the day fields).
    /// - Returns: bit `v` set for each value `v` selected.
    static func list(_ token: Token, _ field: Field) throws(ParseError) -> UInt64 {
        if token.text == "*" { return expand(field.range.lowerBound, field.range.upperBound, step: 1, field) }
        var bits: UInt64 = 0
        var offset = token.offset
        for (index, item) in token.text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            defer { offset += item.count + 1 }
            guard !item.isEmpty else { throw ParseError(message: "empty item in the \(field.name) list", offset: offset) }
            bits |= try self.item((item, offset), field, first: index == 0)
        }
        return bits
    }

    /// One list item: `v`, `a-b`, `a/n` (from `a` to the end), `a-b/n`, or `*/n`. A range with
    /// `a > b` wraps past the end (`FRI-MON`, `22-2`), as saffron's `add_ors` means to. After the
    /// first item, `*` stands for the lowest value (saffron's `ors_expr`); as the first item it
    /// must be `*/n`.
    private static func item(_ token: Token, _ field: Field, first: Bool) throws(ParseError) -> UInt64 {
        var body = token.text
        var step = 1
        if let slash = token.text.firstIndex(of: "/") {
            body = token.text[..<slash]
            let stepText = token.text[token.text.index(after: slash)...]
            guard isDigits(stepText), let number = Int(stepText), field.steps.contains(number) else {
                throw ParseError(
                    message: "invalid step '\(stepText)' in the \(field.name) field: steps are 1-\(field.steps.upperBound)",
                    offset: token.offset + body.count + 1
                )
            }
            step = number
        }
        let hasStep = body.count < token.text.count
        func start(_ text: Substring, allowsStar: Bool) throws(ParseError) -> Int {
            guard text == "*" else { return try value((text, token.offset), field) }
            guard allowsStar else {
                throw ParseError(
                    message: "'*' in the \(field.name) field stands alone or as */n; it cannot start a list or a range",
                    offset: token.offset
                )
            }
            return field.range.lowerBound
        }
        if let dash = body.firstIndex(of: "-") {
            let low = try start(body[..<dash], allowsStar: !first)
            let highText = body[body.index(after: dash)...]
            let high = try value((highText, token.offset + body.count - highText.count), field)
            return expand(low, high, step: step, field)
        }
        let low = try start(body, allowsStar: !first || hasStep)
        return expand(low, hasStep ? field.range.upperBound : low, step: step, field)
    }

    /// Every `step`-th value from `low` to `high`, wrapping past the end of the range when `low > high`.
    private static func expand(_ low: Int, _ high: Int, step: Int, _ field: Field) -> UInt64 {
        let width = field.range.count
        let span = low <= high ? high - low : high - low + width
        var bits: UInt64 = 0
        for position in stride(from: 0, through: span, by: step) {
            let value = low + position
            bits |= 1 << UInt64(value > field.range.upperBound ? value - width : value)
        }
        return bits
    }

    /// The day-of-month field: `*`, a list, or one of `L`, `L-n`, `LW`, `L-nW`, `nW` as the whole field.
    static func dayOfMonth(_ token: Token) throws(ParseError) -> DayOfMonthRule {
        let text = token.text
        if text == "*" { return .any }
        if text.contains(where: { $0 == "L" || $0 == "W" }) { return try lastOrWeekday(token) }
        if text.contains(where: { $0 == "l" || $0 == "w" }) {
            throw ParseError(message: "invalid day-of-month '\(text)': Cloudflare takes L and W in upper case only", offset: token.offset)
        }
        return .days(UInt32(truncatingIfNeeded: try list(token, .dayOfMonth)))
    }

    private static func lastOrWeekday(_ token: Token) throws(ParseError) -> DayOfMonthRule {
        let text = token.text
        let wholeField = ParseError(
            message: "invalid day-of-month '\(text)': Cloudflare takes L and W only as the whole field: "
                + "L, L-n, LW, L-nW (n 1-30) or nW (n 1-31)",
            offset: token.offset
        )
        if text == "L" { return .last(offset: 0) }
        if text == "LW" { return .lastNearestWeekday(offset: 0) }
        if text.hasPrefix("L-") {
            let nearest = text.hasSuffix("W")
            let digits = text.dropFirst(2).dropLast(nearest ? 1 : 0)
            guard isDigits(digits) else { throw wholeField }
            guard let offset = Int(digits), (1...30).contains(offset) else {
                throw ParseError(message: "the offset in day-of-month '\(text)' is outside 1-30", offset: token.offset + 2)
            }
            return nearest ? .lastNearestWeekday(offset: offset) : .last(offset: offset)
        }
        let digits = text.dropLast()
        guard text.hasSuffix("W"), isDigits(digits) else { throw wholeField }
        return .nearestWeekday(day: try value((digits, token.offset), .dayOfMonth))
    }

    /// The day-of-week field (1 = Sunday ... 7 = Saturday): `*`, a list, or one of `L`, `nL`, `n#k`
    /// as the whole field.
    static func dayOfWeek(_ token: Token) throws(ParseError) -> DayOfWeekRule {
        let text = token.text
        if text == "*" { return .any }
        // `L` alone is the last day of the week, Saturday (saffron's `dow_expr`).
        if text == "L" { return .days(1 << 6) }
        let wholeField = ParseError(
            message: "invalid day-of-week '\(text)': Cloudflare takes L and # only as the whole field: "
                + "L, nL (the last such day of the month) or n#k (the k-th, 1-5)",
            offset: token.offset
        )
        let isListSyntax: (Character) -> Bool = { $0 == "," || $0 == "-" || $0 == "/" || $0 == "*" }
        if let hash = text.firstIndex(of: "#") {
            let dayText = text[..<hash]
            let weekText = text[text.index(after: hash)...]
            guard !dayText.contains(where: isListSyntax) else { throw wholeField }
            let weekday = try value((dayText, token.offset), .dayOfWeek)
            guard isDigits(weekText), let week = Int(weekText), (1...5).contains(week) else {
                throw ParseError(
                    message: "invalid day-of-week '\(text)': the week after # is 1-5",
                    offset: token.offset + dayText.count + 1
                )
            }
            return .nth(weekday: weekday - 1, week: week)
        }
        if text.hasSuffix("L") {
            let dayText = text.dropLast()
            guard !dayText.contains(where: isListSyntax), !dayText.contains("L") else { throw wholeField }
            return .last(weekday: try value((dayText, token.offset), .dayOfWeek) - 1)
        }
        if text.contains("L") { throw wholeField }
        if text.contains("l") {
            throw ParseError(message: "invalid day-of-week '\(text)': Cloudflare takes L in upper case only", offset: token.offset)
        }
        // Values 1...7 become weekday bits 0...6.
        return .days(UInt8(truncatingIfNeeded: try list(token, .dayOfWeek) >> 1))
    }
}
