/// A TOML local date-time (TOML 1.0.0 §Local Date-Time): a date and a time with no offset.
package struct TOMLLocalDateTime: Sendable, Hashable, CustomStringConvertible {
    /// The date part.
    package var date: TOMLLocalDate
    /// The time part.
    package var time: TOMLLocalTime

    /// Creates a local date-time.
    package init(date: TOMLLocalDate, time: TOMLLocalTime) {
        self.date = date
        self.time = time
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]`.
    package var description: String { "\(date)T\(time)" }
}
