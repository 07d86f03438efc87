import Foundation
import Testing

@testable import DroverConfig

@Suite("cron expressions")
struct CronExpressionTests {
    /// `YYYY-MM-DD HH:MM` in UTC.
    static func date(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    @Test(
        "next fire time in UTC",
        arguments: [
            ("* * * * *", "2024-01-01 00:00", "2024-01-01 00:01"),
            ("*/15 * * * *", "2024-01-01 00:14", "2024-01-01 00:15"),
            ("*/15 * * * *", "2024-01-01 00:15", "2024-01-01 00:30"),
            ("0 3 * * MON-FRI", "2024-01-05 03:00", "2024-01-08 03:00"),  // Friday → Monday
            ("30 9 1 JAN,jul *", "2024-02-01 00:00", "2024-07-01 09:30"),
            ("0 0 29 2 *", "2023-03-01 00:00", "2024-02-29 00:00"),
            ("0 12 * * 7", "2024-01-01 00:00", "2024-01-07 12:00"),  // 7 is Sunday
            ("5-10/5 1-2 * * *", "2024-01-01 01:10", "2024-01-01 02:05"),
            ("10/20 * * * *", "2024-01-01 00:51", "2024-01-01 01:10"),
            ("0 0 13 * FRI", "2024-01-01 00:00", "2024-01-05 00:00"),  // day-of-month OR day-of-week
            ("59 23 31 12 *", "2024-12-31 23:59", "2025-12-31 23:59"),
        ] as [(String, String, String)]
    )
    func nextDate(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.nextDate(after: Self.date(after)) == Self.date(expected))
        #expect(cron.matches(Self.date(expected)))
    }

    @Test("seconds inside a matching minute move on to the next match")
    func midMinute() throws {
        let cron = try CronExpression("*/5 * * * *")
        let start = Self.date("2024-01-01 00:05").addingTimeInterval(30)
        #expect(cron.matches(start))
        #expect(cron.nextDate(after: start) == Self.date("2024-01-01 00:10"))
    }

    @Test("an impossible date never fires")
    func never() throws {
        #expect(try CronExpression("0 0 30 2 *").nextDate(after: Self.date("2024-01-01 00:00")) == nil)
    }

    @Test("matches checks every field")
    func matches() throws {
        let cron = try CronExpression("0 9 * * SAT,SUN")
        #expect(cron.matches(Self.date("2024-01-06 09:00")))
        #expect(!cron.matches(Self.date("2024-01-06 09:01")))
        #expect(!cron.matches(Self.date("2024-01-08 09:00")))
    }

    @Test(
        "malformed expressions are rejected with the offending field",
        arguments: [
            ("* * * *", "expected 5 fields", 0),
            ("60 * * * *", "minute 60 is outside 0-59", 0),
            ("* 24 * * *", "hour 24 is outside 0-23", 2),
            ("* * 0 * *", "day-of-month 0 is outside 1-31", 4),
            ("* * * 13 *", "month 13 is outside 1-12", 6),
            ("* * * * 8", "day-of-week 8 is outside 0-7", 8),
            ("*/0 * * * *", "invalid step '0'", 0),
            ("5-1 * * * *", "runs backwards", 0),
            ("1,,2 * * * *", "empty item", 2),
            ("* * * FOO *", "invalid month 'FOO'", 6),
            ("* * L * *", "invalid day-of-month 'L'", 4),
            ("+5 * * * *", "invalid minute '+5'", 0),
        ] as [(String, String, Int)]
    )
    func errors(expression: String, message: String, offset: Int) {
        do {
            _ = try CronExpression(expression)
            Issue.record("accepted \(expression)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.offset == offset)
        }
    }
}
