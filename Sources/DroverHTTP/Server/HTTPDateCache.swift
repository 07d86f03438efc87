import Glibc

/// The `Date` header line (RFC 9110 §6.6.1, IMF-fixdate), formatted at most once per second.
///
/// One per event loop, used only on its thread; formatting is by hand (no Foundation `DateFormatter`,
/// no `String(format:)`).
final class HTTPDateCache {
    private var second: time_t = -1
    private var line: [UInt8] = []

    private static let days: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    /// `date: Sun, 06 Nov 1994 08:49:37 GMT\r\n` for the current second.
    func current() -> [UInt8] {
        let now = time(nil)
        if now != second {
            second = now
            line = Self.format(now)
        }
        return line
    }

    /// Formats `seconds` since the epoch as a `date` header line.
    static func format(_ seconds: time_t) -> [UInt8] {
        var value = seconds
        var parts = tm()
        gmtime_r(&value, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(37)
        out.append(contentsOf: Array("date: ".utf8))
        append(days[Int(parts.tm_wday)], to: &out)
        out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")])
        twoDigits(Int(parts.tm_mday), to: &out)
        out.append(UInt8(ascii: " "))
        append(months[Int(parts.tm_mon)], to: &out)
        out.append(UInt8(ascii: " "))
        let year = Int(parts.tm_year) + 1900
        twoDigits(year / 100, to: &out)
        twoDigits(year % 100, to: &out)
        out.append(UInt8(ascii: " "))
        twoDigits(Int(parts.tm_hour), to: &out)
        out.append(UInt8(ascii: ":"))
        twoDigits(Int(parts.tm_min), to: &out)
        out.append(UInt8(ascii: ":"))
        twoDigits(Int(parts.tm_sec), to: &out)
        out.append(contentsOf: Array(" GMT\r\n".utf8))
        return out
    }

    private static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func twoDigits(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") + UInt8(value / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }
}
