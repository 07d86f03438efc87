/// A TOML local time (TOML 1.0.0 §Local Time): a time of day with no date and no offset.
package struct TOMLLocalTime: Sendable, Hashable, CustomStringConvertible {
    /// The hour, 0...23.
    package var hour: Int
    /// The minute, 0...59.
    package var minute: Int
    /// The second, 0...60 (60 only for a leap second, RFC 3339 §5.6).
    package var second: Int
    /// The fraction of a second in nanoseconds (digits beyond nine are truncated, which TOML 1.0.0 allows).
    package var nanosecond: Int
    /// How many fraction digits to print (0 for none), at most 9.
    package var fractionDigits: Int

    /// Creates a time without validating it.
    package init(hour: Int, minute: Int, second: Int, nanosecond: Int = 0, fractionDigits: Int = 0) {
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
        self.fractionDigits = fractionDigits
    }

    /// RFC 3339 `partial-time`: `HH:MM:SS[.fraction]`.
    package var description: String {
        var text = "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if fractionDigits > 0 {
            let nine = pad(nanosecond, 9)
            text += "." + nine.prefix(fractionDigits)
        }
        return text
    }
}
