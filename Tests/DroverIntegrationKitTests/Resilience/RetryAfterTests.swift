import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Retry-After")
struct RetryAfterTests {
    @Test(
        "delay-seconds",
        arguments: [("120", Duration.seconds(120)), ("0", .zero), (" 5\t", .seconds(5)), ("007", .seconds(7))])
    func delaySeconds(value: String, delay: Duration) {
        #expect(RetryAfter.delay(value, now: testStart) == delay)
    }

    @Test("values that are neither delay-seconds nor an HTTP-date are refused", arguments: [
        "", " ", "-1", "1.", ".5", "1.5.2", "1,5", "+3", "3s", "abc", "Thu, 01 Jan 2026 00:00:30 UTC", "thu, 01 Jan 2026 00:00:30 GMT",
        "Thu, 01 jan 2026 00:00:30 GMT", "Thu, 1 Jan 2026 00:00:30 GMT", "Thu, 32 Jan 2026 00:00:30 GMT",
        "Thu, 29 Feb 2026 00:00:30 GMT", "Thu, 31 Apr 2026 00:00:30 GMT", "Thu, 01 Jan 2026 24:00:00 GMT",
        "Thu, 01 Jan 2026 00:60:00 GMT", "Thu, 01 Jan 2026 00:00:61 GMT", "Thx, 01 Jan 2026 00:00:30 GMT",
        "Thursday, 01-Jan-2026 00:00:30 GMT", "Thu Jan 1 00:00:30 2026", String(repeating: "9", count: 65),
    ])
    func refused(value: String) {
        #expect(RetryAfter.delay(value, now: testStart) == nil)
    }

    @Test(
        "delay-seconds with a fraction, as Shopify sends them (Retry-After: 2.0)",
        arguments: [("2.0", Duration.seconds(2)), ("1.5", .milliseconds(1_500)), ("0.25", .milliseconds(250)),
                    ("3.0000000019", .nanoseconds(3_000_000_001))])
    func decimalSeconds(value: String, delay: Duration) {
        #expect(RetryAfter.delay(value, now: testStart) == delay)
    }

    @Test("a number too large for a Duration saturates instead of trapping")
    func hugeNumber() throws {
        let delay = try #require(RetryAfter.delay(String(repeating: "9", count: 40), now: testStart))
        #expect(delay >= .seconds(9_000_000_000))
    }

    @Test(
        "an HTTP-date, in each of its three forms, is read relative to the given now",
        arguments: [
            ("Thu, 01 Jan 2026 00:00:30 GMT", Duration.seconds(30)),
            ("Thursday, 01-Jan-26 00:01:00 GMT", .seconds(60)),
            ("Thu Jan  1 00:00:10 2026", .seconds(10)),
            ("Thu Jan 01 00:00:10 2026", .seconds(10)),
            ("Fri, 02 Jan 2026 00:00:00 GMT", .seconds(86_400)),
            ("Sun, 01 Mar 2026 00:00:00 GMT", .seconds(59 * 86_400)),
            ("Wed, 31 Dec 2025 23:59:59 GMT", .zero),
            ("Sun, 06 Nov 1994 08:49:37 GMT", .zero),
            ("Thu, 01 Jan 2026 00:00:60 GMT", .seconds(60)),
        ])
    func httpDate(value: String, delay: Duration) {
        #expect(RetryAfter.delay(value, now: testStart) == delay)
    }

    @Test("leap days exist in leap years only")
    func leapDays() {
        let now = Date(timeIntervalSince1970: 0)
        #expect(RetryAfter.delay("Thu, 29 Feb 2024 00:00:00 GMT", now: now) == .seconds(1_709_164_800))
        #expect(RetryAfter.delay("Tue, 29 Feb 2000 00:00:00 GMT", now: now) == .seconds(951_782_400))
        #expect(RetryAfter.delay("Thu, 29 Feb 2100 00:00:00 GMT", now: now) == nil)
    }

    @Test("an RFC 850 two-digit year more than 50 years ahead is the most recent past year with those digits")
    func twoDigitYears() {
        // From 2026: 76 is 2076 (50 years ahead, not more), 77 is 1977.
        #expect(RetryAfter.delay("Wednesday, 01-Jan-76 00:00:00 GMT", now: testStart) == .seconds(18_262 * 86_400))
        #expect(RetryAfter.delay("Saturday, 01-Jan-77 00:00:00 GMT", now: testStart) == .zero)
        let in1999 = Date(timeIntervalSince1970: 915_148_800)  // 1999-01-01
        #expect(RetryAfter.delay("Saturday, 01-Jan-00 00:00:00 GMT", now: in1999) == .seconds(365 * 86_400))
    }

    @Test("the header is read from Headers; several Retry-After fields are refused")
    func fromHeaders() {
        #expect(RetryAfter.delay(in: ["Retry-After": "3"], now: testStart) == .seconds(3))
        #expect(RetryAfter.delay(in: Headers(), now: testStart) == nil)
        #expect(RetryAfter.delay(in: Headers([("Retry-After", "3"), ("Retry-After", "4")]), now: testStart) == nil)
    }
}
