/// A TOML local date (TOML 1.0.0 §Local Date): a calendar day with no time and no offset.
package struct TOMLLocalDate: Sendable, Hashable, CustomStringConvertible {
    /// The year, 0...9999.
    package var year: Int
    /// The month, 1...12.
    package var month: Int
    /// The day of the month, 1...31 (checked against the month and leap years by the parser).
    package var day: Int

    /// Creates a date without validating it.
    package init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// RFC 3339 `full-date`: `YYYY-MM-DD`.
    package var description: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }

    /// The number of days in `month` of `year` (proleptic Gregorian calendar, RFC 3339 §5.7).
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// Zero-pads a non-negative integer to `width` digits.
func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
