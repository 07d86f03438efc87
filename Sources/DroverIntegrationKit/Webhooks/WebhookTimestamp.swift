/// The signed Unix timestamps of Svix (`svix-timestamp`) and Stripe (`t=`): read strictly, and
/// compared with the clock without overflowing.
enum WebhookTimestamp {
    /// The whole seconds `text` spells in ASCII decimal digits, or nil for anything else: a sign,
    /// a fraction, an exponent, whitespace, nothing at all, or a number past `Int64.max`. (The
    /// official libraries are laxer — `parseInt` reads `"12abc"` as 12 — but every sender writes
    /// plain digits.) Leading zeros are allowed and mean nothing, as in those libraries, which
    /// sign the number they read rather than the text.
    static func parse(_ text: some StringProtocol) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowShift, !overflowSum else { return nil }
            value = sum
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// `now - timestamp` in seconds: positive for a timestamp in the past, negative for one in the
    /// future, saturated at `Int64.min`/`Int64.max` where the difference does not fit.
    static func age(of timestamp: Int64, now: Int64) -> Int64 {
        let (age, overflow) = now.subtractingReportingOverflow(timestamp)
        guard overflow else { return age }
        return timestamp > now ? .min : .max
    }

    /// `tolerance` in whole seconds (a fraction dropped); a negative tolerance counts as zero.
    static func seconds(_ tolerance: Duration) -> Int64 {
        max(0, tolerance.components.seconds)
    }
}
