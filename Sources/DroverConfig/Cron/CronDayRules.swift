/// The days of one month a day-of-month or day-of-week field selects, as a bit set (bit `d` = day `d`).
///
/// Each rule follows what Cloudflare's cron parser, saffron, computes in `saffron/src/lib.rs`
/// (https://github.com/cloudflare/saffron): `DaysOfMonth::find_next_day_of_month` for `L`, `L-n`,
/// `LW`, `L-nW` and `nW`, `DaysOfWeek::contains_date` for `nL` and `n#k`.
extension CronExpression {
    /// What the day-of-month field selects.
    enum DayOfMonthRule: Sendable, Hashable {
        /// `*`: every day (the field is unrestricted).
        case any
        /// Values, ranges and steps: bits 1...31.
        case days(UInt32)
        /// `L` (offset 0) or `L-n`: the last day of the month, or `n` days before it. Nothing in a
        /// month shorter than `n + 1` days.
        case last(offset: Int)
        /// `nW`: the weekday (Monday-Friday) nearest day `n`, never in another month: a Saturday
        /// moves back to Friday except the 1st (forward to Monday the 3rd), a Sunday moves on to
        /// Monday except the last day (back to Friday). Nothing in a month without day `n`.
        case nearestWeekday(day: Int)
        /// `LW` (offset 0) or `L-nW`: the nearest weekday, as `nW`, to the last day less `n`.
        case lastNearestWeekday(offset: Int)

        /// The selected days of a month of `length` days whose 1st is `firstWeekday` (0 = Sunday).
        func days(length: Int, firstWeekday: Int) -> UInt32 {
            switch self {
            case .any: return CronExpression.wholeMonth(length)
            case .days(let bits): return bits & CronExpression.wholeMonth(length)
            case .last(let offset): return CronExpression.bit(length - offset, length: length)
            case .nearestWeekday(let day):
                return Self.nearestWeekday(to: day, length: length, firstWeekday: firstWeekday)
            case .lastNearestWeekday(let offset):
                return Self.nearestWeekday(to: length - offset, length: length, firstWeekday: firstWeekday)
            }
        }

        private static func nearestWeekday(to day: Int, length: Int, firstWeekday: Int) -> UInt32 {
            guard day >= 1, day <= length else { return 0 }
            switch (firstWeekday + day - 1) % 7 {
            case 6: return CronExpression.bit(day == 1 ? 3 : day - 1, length: length)  // Saturday
            case 0: return CronExpression.bit(day == length ? day - 2 : day + 1, length: length)  // Sunday
            default: return CronExpression.bit(day, length: length)
            }
        }
    }

    /// What the day-of-week field selects. Weekdays are stored 0 = Sunday ... 6 = Saturday (written 1-7).
    enum DayOfWeekRule: Sendable, Hashable {
        /// `*`: every day (the field is unrestricted).
        case any
        /// Values, ranges and steps: bits 0...6.
        case days(UInt8)
        /// `nL`: the last such weekday of the month.
        case last(weekday: Int)
        /// `n#k`: the k-th (1-5) such weekday of the month; nothing in a month without one.
        case nth(weekday: Int, week: Int)

        /// The selected days of a month of `length` days whose 1st is `firstWeekday` (0 = Sunday).
        func days(length: Int, firstWeekday: Int) -> UInt32 {
            switch self {
            case .any:
                return CronExpression.wholeMonth(length)
            case .days(let weekdays):
                var bits: UInt32 = 0
                for day in 1...length where weekdays & (1 << UInt8((firstWeekday + day - 1) % 7)) != 0 {
                    bits |= 1 << UInt32(day)
                }
                return bits
            case .last(let weekday):
                let first = 1 + (weekday - firstWeekday + 7) % 7
                return CronExpression.bit(first + 7 * ((length - first) / 7), length: length)
            case .nth(let weekday, let week):
                let first = 1 + (weekday - firstWeekday + 7) % 7
                return CronExpression.bit(first + 7 * (week - 1), length: length)
            }
        }
    }

    /// Bits 1...length.
    static func wholeMonth(_ length: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(length + 1)) - 1) & ~1
    }

    /// Bit `day`, or no bit when `day` is not in a month of `length` days.
    static func bit(_ day: Int, length: Int) -> UInt32 {
        day >= 1 && day <= length ? 1 << UInt32(day) : 0
    }
}
