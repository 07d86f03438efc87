/// The signed Unix timestamps of Svix (`svix-timestamp`) and Stripe (`t=`): read strictly, and
/// compared with the clock without overflowing.
enum WebhookTimestamp {
    /// The whole seconds `text` spells in ASCII decimal digits, or nil for anything else: a sign,
    /// a fraction, an exponent, whitespace, nothing at all, or a number past `Int64.max`. (The
    /// official libraries are laxer — `parseInt` reads `"12abc"` as 12 — but every sender writes
    /// plain digits.) Leading zeros are allowed and mean nothing, as in those libraries, which
    /// sign the number they read rather than the text.
    static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(digits: $0) }
    }

    /// ``parse(_:)`` of the UTF-8 bytes of a text.
    static func parse(digits: some Collection<UInt8>) -> Int64? {
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowShift, !overflowSum else { return nil }
            value = sum
        }
        return value
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
