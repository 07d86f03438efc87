import Drover
import Foundation

/// Instants and durations as whole microseconds, the unit the kit's KV records store: integers
/// survive a JSON round trip exactly, and a microsecond since the epoch (about 1.8 × 10¹⁵ today)
/// is far inside a `Double`'s 2⁵³, so differences computed from them are exact.
///
/// Every conversion saturates at ±``limit`` (about 31 700 years): a corrupt record or an absurd
/// duration never traps on overflow, and the sum of two clamped values still fits an `Int64`.
enum Microseconds {
    /// The largest magnitude any instant or duration is clamped to.
    static let limit: Int64 = 1_000_000_000_000_000_000

    /// `date` as microseconds since the Unix epoch, rounded to the nearest.
    static func of(_ date: Date) -> Int64 {
        clamp(date.timeIntervalSince1970 * 1_000_000)
    }

    /// `duration` in microseconds, rounded up, so a wait of it never ends early.
    static func of(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let whole = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !whole.overflow else { return seconds < 0 ? -limit : limit }
        let fraction = attoseconds / 1_000_000_000_000 + (attoseconds % 1_000_000_000_000 > 0 ? 1 : 0)
        return clamp(Double(whole.partialValue) + Double(fraction))
    }

    /// `value` (microseconds, possibly fractional) rounded up and clamped to ±``limit``.
    static func ceiling(_ value: Double) -> Int64 {
        clamp(value.rounded(.up))
    }

    /// `a + b`, clamped to ±``limit``.
    static func adding(_ a: Int64, _ b: Int64) -> Int64 {
        clamp(Double(a) + Double(b))
    }

    /// A `Duration` of `microseconds`.
    static func duration(_ microseconds: Int64) -> Duration {
        .microseconds(microseconds)
    }

    /// The date `microseconds` after the Unix epoch.
    static func date(_ microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// A KV `expirationTtl` in whole seconds covering `microseconds` from now: rounded up, and at
    /// least 60, the platform's minimum (https://developers.cloudflare.com/kv/api/write-key-value-pairs/).
    static func kvTTL(covering microseconds: Int64) -> Int64 {
        max(60, secondsRoundedUp(microseconds))
    }

    /// `microseconds` in whole seconds, rounded up; 0 for a negative value.
    static func secondsRoundedUp(_ microseconds: Int64) -> Int64 {
        guard microseconds > 0 else { return 0 }
        return microseconds / 1_000_000 + (microseconds % 1_000_000 > 0 ? 1 : 0)
    }

    /// A `Retry-After` header of `duration` as delay-seconds (RFC 9110 §10.2.3): whole seconds,
    /// rounded up, so a client that waits that long finds the way clear.
    static func retryAfterHeader(_ duration: Duration) -> Headers {
        Headers([("retry-after", String(secondsRoundedUp(of(duration))))])
    }

    private static func clamp(_ value: Double) -> Int64 {
        guard value.isFinite else { return value < 0 ? -limit : limit }
        if value >= Double(limit) { return limit }
        if value <= -Double(limit) { return -limit }
        return Int64(value.rounded())
    }
}
