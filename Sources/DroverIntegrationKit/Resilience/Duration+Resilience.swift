import Foundation

/// Conversions between `Duration`, whole nanoseconds and `TimeInterval` for the resilience
/// policies. None of them traps: a value out of range saturates.
extension Duration {
    /// The duration in whole nanoseconds, `0` for a negative duration and `UInt64.max` past it.
    var clampedNanoseconds: UInt64 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, carry) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return carry ? .max : total
    }

    /// The duration in seconds, as `Date` arithmetic wants it.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `nanoseconds` as a duration, saturating at `Int64.max` nanoseconds (about 292 years).
    static func saturatingNanoseconds(_ nanoseconds: UInt64) -> Duration {
        .nanoseconds(Int64(clamping: nanoseconds))
    }

    /// `interval` seconds as a duration, rounded up to the nanosecond: zero for a negative (or NaN)
    /// interval, saturating past about 292 years.
    static func saturatingInterval(_ interval: TimeInterval) -> Duration {
        guard interval > 0 else { return .zero }
        let nanoseconds = (interval * 1e9).rounded(.up)
        guard nanoseconds < 9.2e18 else { return .nanoseconds(Int64.max) }
        return .nanoseconds(Int64(nanoseconds))
    }
}

extension Date {
    /// This instant moved forward by `duration`.
    func adding(_ duration: Duration) -> Date {
        addingTimeInterval(duration.timeInterval)
    }
}
