import Foundation

/// Parses an HTTP-date (RFC 9110 §5.6.7) in any of its three forms, which a recipient must all
/// accept:
///
/// - IMF-fixdate, the preferred one: `Sun, 06 Nov 1994 08:49:37 GMT`
/// - RFC 850 (obsolete): `Sunday, 06-Nov-94 08:49:37 GMT`
/// - ANSI C's asctime() (obsolete): `Sun Nov  6 08:49:37 1994`
///
/// The grammar is case-sensitive and fixed-width; anything else is refused (`nil`), as is a day
/// that does not exist (`31 Apr`, `29 Feb` of a common year). The day name is checked to be one,
/// not to match the date. A second of 60 (a leap second) is read as the next minute's first.
enum HTTPDate {
    private static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The instant `text` names, or `nil` when it is not an HTTP-date.
    /// - Parameter now: resolves an RFC 850 two-digit year: a year that would be more than 50
    ///   years after `now` is the most recent past year with those last two digits (RFC 9110 §5.6.7).
    static func parse(_ text: String, now: Date) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count <= 40 else { return nil }
        if bytes.count == 29, bytes[3] == UInt8(ascii: ",") {
            return imfFixdate(bytes)
        }
        if bytes.count == 24, bytes[3] == UInt8(ascii: " ") {
            return asctime(bytes)
        }
        return rfc850(bytes, now: now)
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    private static func imfFixdate(_ b: [UInt8]) -> Date? {
        guard dayNames.contains(string(b[0..<3])),
            literal(b, at: 3, ", "), let day = number(b[5..<7]),
            literal(b, at: 7, " "), let month = month(b[8..<11]),
            literal(b, at: 11, " "), let year = number(b[12..<16]),
            literal(b, at: 16, " "), let time = time(b[17..<25]),
            literal(b, at: 25, " GMT")
        else { return nil }
        return date(year: year, month: month, day: day, time: time)
    }

    /// `Sun Nov  6 08:49:37 1994` (the day is space-padded).
    private static func asctime(_ b: [UInt8]) -> Date? {
        let dayDigits = b[8] == UInt8(ascii: " ") ? b[9..<10] : b[8..<10]
        guard dayNames.contains(string(b[0..<3])),
            literal(b, at: 3, " "), let month = month(b[4..<7]),
            literal(b, at: 7, " "), let day = number(dayDigits),
            literal(b, at: 10, " "), let time = time(b[11..<19]),
            literal(b, at: 19, " "), let year = number(b[20..<24])
        else { return nil }
        return date(year: year, month: month, day: day, time: time)
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`
    private static func rfc850(_ b: [UInt8], now: Date) -> Date? {
        guard let comma = b.firstIndex(of: UInt8(ascii: ",")), longDayNames.contains(string(b[0..<comma])) else { return nil }
        let rest = Array(b[(comma + 1)...])
        guard rest.count == 23,
            literal(rest, at: 0, " "), let day = number(rest[1..<3]),
            literal(rest, at: 3, "-"), let month = month(rest[4..<7]),
            literal(rest, at: 7, "-"), let shortYear = number(rest[8..<10]),
            literal(rest, at: 10, " "), let time = time(rest[11..<19]),
            literal(rest, at: 19, " GMT")
        else { return nil }
        let currentYear = civilYear(daysSinceEpoch: Int64((now.timeIntervalSince1970 / 86_400).rounded(.down)))
        // The first year from now on with these last two digits, unless that is more than 50
        // years ahead.
        var year = currentYear - currentYear % 100 + Int64(shortYear)
        if year < currentYear { year += 100 }
        if year > currentYear + 50 { year -= 100 }
        return date(year: Int(year), month: month, day: day, time: time)
    }

    /// `08:49:37` as seconds since midnight.
    private static func time(_ b: ArraySlice<UInt8>) -> Int? {
        let start = b.startIndex
        guard let hour = number(b[start..<start + 2]), b[start + 2] == UInt8(ascii: ":"),
            let minute = number(b[start + 3..<start + 5]), b[start + 5] == UInt8(ascii: ":"),
            let second = number(b[start + 6..<start + 8]),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    /// The instant, when `day` exists in `month` of `year`.
    private static func date(year: Int, month: Int, day: Int, time: Int) -> Date? {
        guard day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        let days = daysSinceEpoch(year: Int64(year), month: Int64(month), day: Int64(day))
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + Int64(time)))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civilYear(daysSinceEpoch days: Int64) -> Int64 {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    private static func month(_ b: ArraySlice<UInt8>) -> Int? {
        monthNames.firstIndex(of: string(b)).map { $0 + 1 }
    }

    /// The value of a run of ASCII digits (at most four), or `nil` when any byte is not one.
    private static func number(_ b: ArraySlice<UInt8>) -> Int? {
        guard !b.isEmpty, b.count <= 4 else { return nil }
        var value = 0
        for byte in b {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func literal(_ b: [UInt8], at index: Int, _ text: String) -> Bool {
        let expected = Array(text.utf8)
        return index + expected.count <= b.count && Array(b[index..<index + expected.count]) == expected
    }

    private static func string(_ b: ArraySlice<UInt8>) -> String {
        String(decoding: b, as: UTF8.self)
    }
}
