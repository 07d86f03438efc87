/// A TOML local date-time (TOML 1.0.0 §Local Date-Time): a date and a time with no offset.
public struct TOMLLocalDateTime: Sendable, Hashable, CustomStringConvertible {
    /// The date part.
    public var date: TOMLLocalDate
    /// The time part.
    public var time: TOMLLocalTime

    /// Creates a local date-time.
    public init(date: TOMLLocalDate, time: TOMLLocalTime) {
        self.date = date
        self.time = time
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]`.
    public var description: String { "\(date)T\(time)" }
}
