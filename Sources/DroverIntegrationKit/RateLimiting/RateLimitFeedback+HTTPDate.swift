import Foundation

/// HTTP-date (RFC 9110 §5.6.7), parsed by hand: a `DateFormatter` depends on the locale, and
/// "recipients … MUST accept all three HTTP-date formats":
///
/// - IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT` (what senders must use),
/// - RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` (a two-digit year that would be more than 50 years
///   ahead of now is read as the most recent past year ending with those digits),
/// - asctime `Sun Nov  6 08:49:37 1994`.
///
/// The day name is not checked against the date (the RFC lets a recipient ignore it); every number
/// is range-checked, the day against its month.
extension RateLimitFeedback {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The instant an HTTP-date names, or `nil` when `text` is none of the three formats. `now`
    /// places an RFC 850 two-digit year.
    static func httpDate(_ text: String, now: Date) -> Date? {
        guard text.utf8.count <= 64 else { return nil }
        let words = text.split(separator: " ")
        if words.count == 6, words[0].hasSuffix(","), words[5] == "GMT" {
            // IMF-fixdate: day-name "," day month year time "GMT".
            guard words[1].utf8.count == 2, words[3].utf8.count == 4 else { return nil }
            return date(year: number(words[3]), month: month(words[2]), day: number(words[1]), time: words[4])
        }
        if words.count == 4, words[0].hasSuffix(","), words[3] == "GMT" {
            // RFC 850: day-name "," day "-" month "-" 2DIGIT time "GMT".
            let parts = words[1].split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].utf8.count == 2, parts[2].utf8.count == 2, let short = number(parts[2]) else { return nil }
            return date(year: fullYear(short, now: now), month: month(parts[1]), day: number(parts[0]), time: words[2])
        }
        if words.count == 5, !words[0].hasSuffix(",") {
            // asctime: day-name month day time year (the day padded with a space, which `split` drops).
            guard (1...2).contains(words[2].utf8.count), words[4].utf8.count == 4 else { return nil }
            return date(year: number(words[4]), month: month(words[1]), day: number(words[2]), time: words[3])
        }
        return nil
    }

    /// A two-digit RFC 850 year: in this century unless that is more than 50 years ahead.
    private static func fullYear(_ short: Int, now: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let current = calendar.component(.year, from: now)
        let candidate = current - current % 100 + short
        return candidate > current + 50 ? candidate - 100 : candidate
    }

    private static func month(_ name: Substring) -> Int? {
        months.firstIndex { $0 == name }.map { $0 + 1 }
    }

    private static func number(_ digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.utf8.count <= 4, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(digits)
    }

    private static func date(year: Int?, month: Int?, day: Int?, time: Substring) -> Date? {
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard let year, let month, let day, clock.count == 3, clock.allSatisfy({ $0.utf8.count == 2 }),
            let hour = number(clock[0]), let minute = number(clock[1]), let second = number(clock[2]),
            hour < 24, minute < 60, second <= 60, (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        // A leap second (:60) is read as the last second of its minute.
        let seconds = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3_600 + minute * 60 + min(second, 59)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
    /// `days_from_civil`, http://howardhinnant.github.io/date_algorithms.html).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
