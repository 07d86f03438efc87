import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

/// Parsing what upstreams send: Shopify's call limit and `Retry-After` in its forms, from valid
/// values and from garbage that must be ignored, never trap.
@Suite("Rate-limit feedback")
struct RateLimitFeedbackTests {
    static let now = StateTestNamespace.start

    @Test(
        "X-Shopify-Shop-Api-Call-Limit",
        arguments: [
            ("32/40", RateLimitFeedback.CallLimit(used: 32, limit: 40)),
            (" 0 / 80 ", RateLimitFeedback.CallLimit(used: 0, limit: 80)),
            ("41/40", RateLimitFeedback.CallLimit(used: 41, limit: 40)),
            ("32", nil), ("32/", nil), ("/40", nil), ("32/0", nil), ("-1/40", nil), ("3.5/40", nil),
            ("1/2/3", nil), ("99999999999999999999/40", nil), ("", nil), ("３２/40", nil),
        ] as [(String, RateLimitFeedback.CallLimit?)]
    )
    func callLimit(value: String, expected: RateLimitFeedback.CallLimit?) {
        #expect(RateLimitFeedback.callLimit(parsing: value) == expected)
    }

    @Test(
        "Retry-After as delay-seconds, with Shopify's fraction",
        arguments: [
            ("0", 0.0), ("120", 120), ("2.0", 2), (" 1.5 ", 1.5), ("9999999999", 9_999_999_999),
        ]
    )
    func delaySeconds(value: String, seconds: Double) {
        #expect(RateLimitFeedback.retryAt(parsing: value, now: Self.now) == Self.now.addingTimeInterval(seconds))
    }

    @Test(
        "Retry-After as an HTTP-date in its three formats",
        arguments: [
            ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),  // RFC 9110's example, IMF-fixdate
            ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),  // RFC 850
            ("Sun Nov  6 08:49:37 1994", 784_111_777),  // asctime
            ("Thu, 01 Jan 2026 00:00:07 GMT", 1_767_225_607),
            ("Thu, 29 Feb 2024 23:59:59 GMT", 1_709_251_199),  // a leap day
            ("Wed, 31 Dec 2025 23:59:60 GMT", 1_767_225_600),  // a leap second, read as the next minute's first
            ("Wednesday, 01-Jan-70 00:00:00 GMT", 3_155_760_000),  // 2070, not 1970: 44 years ahead
            ("Friday, 01-Jan-76 00:00:00 GMT", 3_345_062_400),  // 2076 is within 50 years of 2026
            ("Saturday, 01-Jan-77 00:00:00 GMT", 220_924_800),  // 2077 is not: 1977
        ]
    )
    func httpDate(value: String, epochSeconds: Int) {
        #expect(RateLimitFeedback.retryAt(parsing: value, now: Self.now) == Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
    }

    @Test(
        "garbage is ignored",
        arguments: [
            "", "soon", "-1", "1e3", "12345678901", "1.", ".5", "1.2.3", "1.1234567890",
            "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 2100 00:00:00 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37", "Sun Nov 006 08:49:37 1994",
            String(repeating: "9", count: 10_000), "Sun, 06 Nov 1994 08:49:37 GMT" + String(repeating: " ", count: 100) + "x",
        ]
    )
    func garbage(value: String) {
        #expect(RateLimitFeedback.retryAt(parsing: value, now: Self.now) == nil)
    }

    @Test("both headers read from one response, names in any case")
    func fromHeaders() {
        let feedback = RateLimitFeedback(
            headers: Headers([("X-Shopify-Shop-Api-Call-Limit", "40/40"), ("RETRY-AFTER", "2.0")]),
            now: Self.now
        )
        #expect(feedback == RateLimitFeedback(callLimit: .init(used: 40, limit: 40), retryAt: Self.now.addingTimeInterval(2)))
        #expect(RateLimitFeedback(headers: Headers(), now: Self.now).isEmpty)
    }
}
