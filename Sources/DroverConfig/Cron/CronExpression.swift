import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`), read and evaluated in
/// UTC as Cloudflare cron triggers are.
///
/// Sources: the "Supported cron expressions" table and examples of
/// https://developers.cloudflare.com/workers/configuration/cron-triggers/#supported-cron-expressions,
/// and, where that page is silent, Cloudflare's parser saffron (https://github.com/cloudflare/saffron):
/// the grammar in `saffron/src/parse.rs`, the meaning in `saffron/src/lib.rs`.
///
/// - Values: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or `JAN`-`DEC`, day-of-week
///   **1-7 with 1 = Sunday** or `SUN`-`SAT` (names case-insensitive). `0 17 * * 1` and `0 17 * * sun`
///   are both Sunday at 17:00 and `mon-fri` is `2-6`. A day-of-week `0` (Unix cron's Sunday) is
///   refused, as Cloudflare refuses it at deploy, and `7` is Saturday.
/// - Each field is `*` or a comma list of `v`, `a-b`, `a/n` (from `a` to the end), `a-b/n` and
///   `*/n`. Steps run from 1 to the width of the field (`*/60` is refused). A range with `a > b` wraps
///   past the end (`FRI-MON`, `22-2`). After the first item, `*` stands for the field's lowest value.
/// - Day of month, as the whole field: `L` (last day), `L-n` (n days before it, n 1-30), `nW` (the
///   weekday nearest day n, within the month: a Saturday 1st moves to Monday the 3rd, a Sunday last
///   day to Friday), `LW` (last weekday), `L-nW`.
/// - Day of week, as the whole field: `nL` (the last such weekday of the month, `6L` = `friL`),
///   `n#k` (the k-th, 1-5: `2#1` is the first Monday), and `L` alone (Saturday).
/// - `L` and `W` are upper case only, and `?` is not accepted (saffron reads neither).
/// - When neither day field is `*`, a day matches if either matches (saffron's `Cron::contains`);
///   `*/1` counts as restricted there, unlike Vixie cron.
///
/// One deliberate difference: saffron's wrapping ranges (`lib.rs`, `add_ors`, `start > end`) also
/// take the value before the start (its `SAT-SUN` includes Friday); Drover takes exactly the values
/// from the start to the end, as the comments there describe.
package struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    package let source: String
    private let minutes: UInt64  // bits 0...59
    private let hours: UInt32  // bits 0...23
    private let months: UInt16  // bits 1...12
    private let dayOfMonth: DayOfMonthRule
    private let dayOfWeek: DayOfWeekRule

    /// Why an expression was rejected, with the 0-based character offset of the offending part.
    package struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The explanation.
        package let message: String
        /// The 0-based offset in the expression where the problem starts.
        package let offset: Int
        /// The explanation.
        package var description: String { message }
    }

    /// Parses an expression.
    /// - Parameter source: five fields separated by spaces or tabs.
    /// - Throws: ``ParseError`` naming the field and what is wrong.
    package init(_ source: String) throws(ParseError) {
        self.source = source
        var fields: [Token] = []
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
        minutes = try Self.list(fields[0], .minute)
        hours = UInt32(truncatingIfNeeded: try Self.list(fields[1], .hour))
        dayOfMonth = try Self.dayOfMonth(fields[2])
        months = UInt16(truncatingIfNeeded: try Self.list(fields[3], .month))
        dayOfWeek = try Self.dayOfWeek(fields[4])
    }

    /// The expression as written.
    package var description: String { source }

    /// Whether the minute containing `date` (UTC) is one the expression fires on.
    /// - Parameter date: any instant; seconds are ignored.
    package func matches(_ date: Date) -> Bool {
        guard let minute = Self.minute(containing: date) else { return false }
        let days = Self.floorDivide(minute, 1440)
        let minuteOfDay = minute - days * 1440
        let (year, month, day) = CivilCalendar.civilFromDays(days)
        return minutes & (1 << UInt64(minuteOfDay % 60)) != 0
            && hours & (1 << UInt32(minuteOfDay / 60)) != 0
            && months & (1 << UInt16(month)) != 0
            && selectedDays(year: year, month: month) & (1 << UInt32(day)) != 0
    }

    /// The first minute strictly after the minute containing `date` (UTC) that the expression fires on.
    /// - Parameter date: the instant to search from.
    /// - Returns: the start of that minute, or nil if the expression never fires (`0 0 30 2 *`,
    ///   `0 0 31W 4 *`). The search covers 400 years, one whole cycle of the Gregorian calendar,
    ///   so nil means never; it looks at each month once, so it ends quickly either way.
    package func nextDate(after date: Date) -> Date? {
        guard let minute = Self.minute(containing: date) else { return nil }
        let start = minute + 1
        let startDays = Self.floorDivide(start, 1440)
        var minuteOfDay = start - startDays * 1440
        var (year, month, day) = CivilCalendar.civilFromDays(startDays)
        for _ in 0...(400 * 12) {
            if months & (1 << UInt16(month)) != 0 {
                let length = CivilCalendar.daysInMonth(year: year, month: month)
                let selected = selectedDays(year: year, month: month)
                while day <= length {
                    if selected & (1 << UInt32(day)) != 0, let time = firstMinute(from: minuteOfDay) {
                        let dayNumber = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
                        return Date(timeIntervalSince1970: Double((dayNumber * 1440 + time) * 60))
                    }
                    day += 1
                    minuteOfDay = 0
                }
            }
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
            day = 1
            minuteOfDay = 0
        }
        return nil
    }

    /// The next `count` fire times after `date`, in order; fewer if the expression stops firing.
    /// - Parameters:
    ///   - date: the instant to search from (excluded, as in ``nextDate(after:)``).
    ///   - count: how many times to list.
    package func nextDates(after date: Date, count: Int) -> [Date] {
        var dates: [Date] = []
        var after = date
        while dates.count < count, let next = nextDate(after: after) {
            dates.append(next)
            after = next
        }
        return dates
    }

    /// The days of a month the two day fields select together.
    private func selectedDays(year: Int, month: Int) -> UInt32 {
        let length = CivilCalendar.daysInMonth(year: year, month: month)
        let firstWeekday = CivilCalendar.weekday(days: CivilCalendar.daysFromCivil(year: year, month: month, day: 1))
        switch (dayOfMonth, dayOfWeek) {
        case (.any, .any): return Self.wholeMonth(length)
        case (.any, _): return dayOfWeek.days(length: length, firstWeekday: firstWeekday)
        case (_, .any): return dayOfMonth.days(length: length, firstWeekday: firstWeekday)
        default:
            return dayOfMonth.days(length: length, firstWeekday: firstWeekday)
                | dayOfWeek.days(length: length, firstWeekday: firstWeekday)
        }
    }

    /// The first minute of the day at or after `minuteOfDay` that the minute and hour fields take.
    private func firstMinute(from minuteOfDay: Int) -> Int? {
        var hour = minuteOfDay / 60
        var minute = minuteOfDay % 60
        while hour < 24 {
            if hours & (1 << UInt32(hour)) != 0 {
                let left = (minutes >> UInt64(minute)) << UInt64(minute)
                if left != 0 { return hour * 60 + left.trailingZeroBitCount }
            }
            hour += 1
            minute = 0
        }
        return nil
    }

    /// Minutes since 1970-01-01 of the minute containing `date`; nil for instants no calendar
    /// arithmetic should see (not finite, or beyond a million years).
    private static func minute(containing date: Date) -> Int? {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, abs(seconds) < 3.2e13 else { return nil }
        return Int((seconds / 60).rounded(.down))
    }

    private static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return a % b < 0 ? q - 1 : q
    }
}
