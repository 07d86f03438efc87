import Drover
import Foundation

/// Reads the `Retry-After` header (RFC 9110 §10.2.3): how long a 429 or 503 asks the client to
/// wait before it tries again.
///
/// The value is either delay-seconds (`120`: a non-negative integer) or an HTTP-date
/// (`Wed, 21 Oct 2026 07:28:00 GMT`, in any of the three forms of RFC 9110 §5.6.7), read relative
/// to the injected clock's `now` — never the machine's. A date in the past asks for no wait.
/// Delay-seconds with a fraction (`2.0`, `1.5`: digits, a dot, digits) are read too, as Shopify's
/// own client reads them: Shopify's Admin API answers a 429 with `Retry-After: 2.0`, and a client
/// that refused it would retry at once, into the same limit.
/// Leading and trailing whitespace is ignored; anything else that is not one of the two forms is
/// refused (`nil`), so a bad header falls back to the caller's own backoff. A number too large for
/// a `Duration` saturates (and the caller caps it: ``RetryPolicy/maxRetryAfter``).
public enum RetryAfter {
    /// The longest value read; a longer one is refused unread.
    static let maxLength = 64

    /// The wait `value` asks for, or `nil` when it is neither delay-seconds nor an HTTP-date.
    /// - Parameter now: the current instant, from the injected clock (`env.clock.now()`).
    public static func delay(_ value: String, now: Date) -> Duration? {
        guard value.utf8.count <= maxLength else { return nil }
        let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // 1*DIGIT; more digits than an Int64 holds saturates rather than traps.
            let seconds = Int64(trimmed) ?? Int64.max
            let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
            return overflow ? .nanoseconds(Int64.max) : .nanoseconds(nanoseconds)
        }
        if let delay = decimalSeconds(trimmed) { return delay }
        guard let date = HTTPDate.parse(trimmed, now: now) else { return nil }
        return .saturatingInterval(date.timeIntervalSince(now))
    }

    /// `1*DIGIT "." 1*DIGIT` as a wait, to the nanosecond (further digits are dropped); nil for
    /// any other text.
    private static func decimalSeconds(_ text: String) -> Duration? {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            parts.allSatisfy({ $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } })
        else { return nil }
        let whole = Int64(String(decoding: parts[0], as: UTF8.self)) ?? Int64.max
        let fraction = String(decoding: parts[1].prefix(9), as: UTF8.self).padding(toLength: 9, withPad: "0", startingAt: 0)
        let (wholeNanoseconds, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanoseconds, sumOverflow) = wholeNanoseconds.addingReportingOverflow(Int64(fraction) ?? 0)
        return overflow || sumOverflow ? .nanoseconds(Int64.max) : .nanoseconds(nanoseconds)
    }

    /// The wait the `Retry-After` field of `headers` asks for, or `nil` when there is none, when it
    /// is not valid, or when there are several (it is a singleton field). See ``delay(_:now:)``.
    public static func delay(in headers: Headers, now: Date) -> Duration? {
        let values = headers.values(for: "Retry-After")
        guard values.count == 1 else { return nil }
        return delay(values[0], now: now)
    }
}
