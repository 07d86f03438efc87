import Foundation

/// A TOML offset date-time (TOML 1.0.0 §Offset Date-Time): an instant, written with its UTC offset.
package struct TOMLOffsetDateTime: Sendable, Hashable, CustomStringConvertible {
    /// The date part, in the local time of the offset.
    package var date: TOMLLocalDate
    /// The time part, in the local time of the offset.
    package var time: TOMLLocalTime
    /// The offset from UTC in minutes (`Z` is 0).
    package var offsetMinutes: Int

    /// Creates an offset date-time.
    package init(date: TOMLLocalDate, time: TOMLLocalTime, offsetMinutes: Int) {
        self.date = date
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// RFC 3339 `date-time`: `Z` for a zero offset, else `+HH:MM`/`-HH:MM`.
    package var description: String {
        let offset: String
        if offsetMinutes == 0 {
            offset = "Z"
        } else {
            let sign = offsetMinutes < 0 ? "-" : "+"
            let magnitude = abs(offsetMinutes)
            offset = "\(sign)\(pad(magnitude / 60, 2)):\(pad(magnitude % 60, 2))"
        }
        return "\(date)T\(time)\(offset)"
    }

    /// The instant as a `Date` (a leap second maps onto the following second).
    package var instant: Date {
        let days = CivilCalendar.daysFromCivil(year: date.year, month: date.month, day: date.day)
        let seconds = days * 86_400 + time.hour * 3600 + time.minute * 60 + time.second - offsetMinutes * 60
        return Date(timeIntervalSince1970: Double(seconds) + Double(time.nanosecond) / 1e9)
    }
}
