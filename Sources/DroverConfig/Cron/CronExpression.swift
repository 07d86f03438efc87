import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`), evaluated in UTC as
/// Cloudflare cron triggers are (https://developers.cloudflare.com/workers/configuration/cron-triggers/).
///
/// Each field is `*`, a value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n`, or a comma list of those.
/// Months accept `JAN`-`DEC`, days of week `SUN`-`SAT` (case-insensitive), and day of week `7` is Sunday.
/// As in Vixie cron, when both day-of-month and day-of-week are restricted (neither starts with `*`),
/// a day matches if either matches. Cloudflare's `L`, `W` and `#` extensions are not supported.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    private let minutes: UInt64  // bits 0...59
    private let hours: UInt32  // bits 0...23
    private let daysOfMonth: UInt32  // bits 1...31
    private let months: UInt16  // bits 1...12
    private let daysOfWeek: UInt8  // bits 0...6, Sunday = 0
    private let dayOfMonthRestricted: Bool
    private let dayOfWeekRestricted: Bool

    /// Why an expression was rejected, with the 0-based character offset of the offending field.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The explanation.
        public let message: String
        /// The 0-based offset in the expression where the problem starts.
        public let offset: Int
        /// The explanation.
        public var description: String { message }
    }

    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses an expression.
    /// - Parameter source: five fields separated by spaces or tabs.
    /// - Throws: ``ParseError`` naming the field and what is wrong.
    public init(_ source: String) throws(ParseError) {
        self.source = source
        var fields: [(text: Substring, offset: Int)] = []
        var offset = 0
        var start: String.Index?
        var startOffset = 0
        for index in source.indices {
            let c = source[index]
            if c == " " || c == "\t" {
                if let s = start { fields.append((source[s..<index], startOffset)) }
                start = nil
            } else if start == nil {
                start = index
                startOffset = offset
            }
            offset += 1
        }
        if let s = start { fields.append((source[s...], startOffset)) }
        guard fields.count == 5 else {
            throw ParseError(message: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)", offset: 0)
        }
        minutes = try Self.field(fields[0], "minute", 0...59, names: [])
        hours = UInt32(try Self.field(fields[1], "hour", 0...23, names: []))
        daysOfMonth = UInt32(try Self.field(fields[2], "day-of-month", 1...31, names: []))
        months = UInt16(try Self.field(fields[3], "month", 1...12, names: Self.monthNames, firstName: 1))
        var dow = try Self.field(fields[4], "day-of-week", 0...7, names: Self.dayNames)
        if dow & (1 << 7) != 0 { dow = (dow | 1) & ~(1 << 7) }  // 7 is Sunday
        daysOfWeek = UInt8(dow)
        dayOfMonthRestricted = !fields[2].text.hasPrefix("*")
        dayOfWeekRestricted = !fields[4].text.hasPrefix("*")
    }

    private static func value(
        _ text: Substring,
        _ name: String,
        _ range: ClosedRange<Int>,
        names: [String],
        firstName: Int,
        offset: Int
    ) throws(ParseError) -> Int {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(text) {
            guard range.contains(n) else {
                throw ParseError(message: "\(name) \(n) is outside \(range.lowerBound)-\(range.upperBound)", offset: offset)
            }
            return n
        }
        if let i = names.firstIndex(of: text.uppercased()) { return i + firstName }
        throw ParseError(message: "invalid \(name) '\(text)'", offset: offset)
    }

    private static func field(
        _ field: (text: Substring, offset: Int),
        _ name: String,
        _ range: ClosedRange<Int>,
        names: [String],
        firstName: Int = 0
    ) throws(ParseError) -> UInt64 {
        var bits: UInt64 = 0
        var offset = field.offset
        for part in field.text.split(separator: ",", omittingEmptySubsequences: false) {
            defer { offset += part.count + 1 }
            guard !part.isEmpty else { throw ParseError(message: "empty item in the \(name) list", offset: offset) }
            var body = part
            var step = 1
            if let slash = part.firstIndex(of: "/") {
                body = part[..<slash]
                let stepText = part[part.index(after: slash)...]
                guard stepText.allSatisfy({ $0.isASCII && $0.isNumber }), let s = Int(stepText), s >= 1 else {
                    throw ParseError(message: "invalid step '\(stepText)' in the \(name) field", offset: offset)
                }
                step = s
            }
            var low: Int
            var high: Int
            if body == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
                if name == "day-of-week" { high = 6 }
            } else if let dash = body.firstIndex(of: "-") {
                low = try value(body[..<dash], name, range, names: names, firstName: firstName, offset: offset)
                high = try value(body[body.index(after: dash)...], name, range, names: names, firstName: firstName, offset: offset)
                guard low <= high else {
                    throw ParseError(message: "\(name) range '\(body)' runs backwards", offset: offset)
                }
            } else {
                low = try value(body, name, range, names: names, firstName: firstName, offset: offset)
                // `a/n` means from a to the end of the range.
                high = part.contains("/") ? (name == "day-of-week" ? 6 : range.upperBound) : low
            }
            var v = low
            while v <= high {
                bits |= 1 << UInt64(v)
                v += step
            }
        }
        return bits
    }

    /// The expression as written.
    public var description: String { source }

    /// Whether the minute containing `date` (UTC) is one the expression fires on.
    /// - Parameter date: any instant; seconds are ignored.
    public func matches(_ date: Date) -> Bool {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        let (_, month, day) = CivilCalendar.civilFromDays(days)
        return minutes & (1 << UInt64(secondOfDay % 3600 / 60)) != 0
            && hours & (1 << UInt32(secondOfDay / 3600)) != 0
            && months & (1 << UInt16(month)) != 0
            && dayMatches(days: days, day: day)
    }

    private func dayMatches(days: Int, day: Int) -> Bool {
        let domOK = daysOfMonth & (1 << UInt32(day)) != 0
        let dowOK = daysOfWeek & (1 << UInt8(CivilCalendar.weekday(days: days))) != 0
        if dayOfMonthRestricted && dayOfWeekRestricted { return domOK || dowOK }
        return domOK && dowOK
    }

    /// The first minute strictly after `date` (UTC) that the expression fires on.
    /// - Parameter date: the instant to search from.
    /// - Returns: the start of that minute, or nil if the expression never fires (e.g. `0 0 30 2 *`);
    ///   the search covers 28 years, one full cycle of weekdays and leap years.
    public func nextDate(after date: Date) -> Date? {
        let start = Int((date.timeIntervalSince1970 / 60).rounded(.down)) + 1  // next whole minute
        var days = Int((Double(start) / 1440).rounded(.down))
        var minuteOfDay = start - days * 1440
        let lastDay = days + 366 * 28
        while days <= lastDay {
            let (_, month, day) = CivilCalendar.civilFromDays(days)
            if months & (1 << UInt16(month)) == 0 || !dayMatches(days: days, day: day) {
                days += 1
                minuteOfDay = 0
                continue
            }
            var hour = minuteOfDay / 60
            var minute = minuteOfDay % 60
            while hour < 24 {
                if hours & (1 << UInt32(hour)) != 0 {
                    while minute < 60 {
                        if minutes & (1 << UInt64(minute)) != 0 {
                            return Date(timeIntervalSince1970: Double((days * 1440 + hour * 60 + minute) * 60))
                        }
                        minute += 1
                    }
                }
                hour += 1
                minute = 0
            }
            days += 1
            minuteOfDay = 0
        }
        return nil
    }
}
