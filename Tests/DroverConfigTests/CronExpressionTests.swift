import Foundation
import Testing

@testable import DroverConfig

/// Cron expressions as Cloudflare reads them: the examples of
/// https://developers.cloudflare.com/workers/configuration/cron-triggers/#supported-cron-expressions,
/// and, where that page is silent, the cases of saffron's tests (`saffron/src/lib.rs`, `mod tests`).
/// Weekdays of the dates used: 2026-01-01 is a Thursday, 2026-01-04 a Sunday.
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
        "Cloudflare's documented examples fire when the page says",
        arguments: [
            ("* * * * *", "2026-01-01 00:00", "2026-01-01 00:01"),
            ("*/30 * * * *", "2026-01-01 00:00", "2026-01-01 00:30"),
            ("45 * * * *", "2026-01-01 00:45", "2026-01-01 01:45"),
            ("0 17 * * sun", "2026-01-01 00:00", "2026-01-04 17:00"),  // Sunday
            ("0 17 * * 1", "2026-01-01 00:00", "2026-01-04 17:00"),  // 1 = Sunday, not Monday
            ("10 7 * * mon-fri", "2026-01-02 07:10", "2026-01-05 07:10"),  // Friday → Monday
            ("10 7 * * 2-6", "2026-01-02 07:10", "2026-01-05 07:10"),
            ("0 15 1 * *", "2026-01-01 15:00", "2026-02-01 15:00"),
            ("0 18 * * 6L", "2026-01-01 00:00", "2026-01-30 18:00"),  // last Friday of January
            ("0 18 * * friL", "2026-01-30 18:00", "2026-02-27 18:00"),  // last Friday of February
            ("59 23 LW * *", "2026-01-01 00:00", "2026-01-30 23:59"),  // the 31st is a Saturday
            ("59 23 LW * *", "2026-05-01 00:00", "2026-05-29 23:59"),  // the 31st is a Sunday
            ("59 23 LW * *", "2026-06-01 00:00", "2026-06-30 23:59"),  // the 30th is a Tuesday
        ] as [(String, String, String)]
    )
    func documentedExamples(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.nextDate(after: Self.date(after)) == Self.date(expected))
        #expect(cron.matches(Self.date(expected)))
    }

    @Test("names and numbers give the same schedule: sun = 1, mon-fri = 2-6, fri = 6, sat = 7")
    func namesEqualNumbers() throws {
        let start = Self.date("2026-01-01 00:00")
        for (name, number) in [
            ("0 17 * * sun", "0 17 * * 1"), ("10 7 * * mon-fri", "10 7 * * 2-6"), ("0 18 * * friL", "0 18 * * 6L"), ("0 0 * * SAT", "0 0 * * 7"),
        ] {
            let named = try CronExpression(name).nextDates(after: start, count: 20)
            #expect(named.count == 20)
            #expect(named == (try CronExpression(number).nextDates(after: start, count: 20)), "\(name) vs \(number)")
        }
        // 2-6 is Monday to Friday: never a Saturday or Sunday.
        #expect(!(try CronExpression("10 7 * * 2-6").matches(Self.date("2026-01-03 07:10"))))
        #expect(!(try CronExpression("10 7 * * 2-6").matches(Self.date("2026-01-04 07:10"))))
        #expect(try CronExpression("10 7 * * 2-6").matches(Self.date("2026-01-05 07:10")))
    }

    @Test(
        "L, W and LW in the day of month stay inside the month",
        arguments: [
            ("0 0 L 2 *", "2024-01-01 00:00", "2024-02-29 00:00"),  // leap year
            ("0 0 L 2 *", "2025-01-01 00:00", "2025-02-28 00:00"),
            ("0 0 L 2 *", "2100-01-01 00:00", "2100-02-28 00:00"),  // not a leap year
            ("0 0 L 2 *", "2000-01-01 00:00", "2000-02-29 00:00"),  // a leap year
            ("0 0 L * *", "2026-04-01 00:00", "2026-04-30 00:00"),
            ("0 0 L-3 * *", "2026-01-01 00:00", "2026-01-28 00:00"),
            ("0 0 L-3 * *", "2026-01-28 00:00", "2026-02-25 00:00"),
            ("0 0 15W * *", "2026-03-01 00:00", "2026-03-16 00:00"),  // the 15th is a Sunday → Monday
            ("0 0 15W * *", "2026-08-01 00:00", "2026-08-14 00:00"),  // the 15th is a Saturday → Friday
            ("0 0 15W * *", "2026-06-01 00:00", "2026-06-15 00:00"),  // a Monday stays
            ("0 0 1W * *", "2026-07-31 00:00", "2026-08-03 00:00"),  // Saturday the 1st → Monday the 3rd
            ("0 0 1W * *", "2026-10-31 00:00", "2026-11-02 00:00"),  // Sunday the 1st → Monday the 2nd
            ("0 0 31W * *", "2026-05-01 00:00", "2026-05-29 00:00"),  // Sunday the 31st → Friday, not June 1
            ("0 0 31W * *", "2026-04-01 00:00", "2026-05-29 00:00"),  // April has no 31st
            ("0 0 30W * *", "2026-01-31 00:00", "2026-03-30 00:00"),  // February has no 30th
            ("0 0 L-1W 5 *", "2020-01-01 00:00", "2020-05-29 00:00"),  // the 30th is a Saturday (saffron)
            ("0 0 L-1W 5 *", "2021-01-01 00:00", "2021-05-31 00:00"),  // the 30th is a Sunday (saffron)
            ("0 0 L-30W * *", "2021-04-30 00:00", "2021-05-03 00:00"),  // Saturday the 1st (saffron)
        ] as [(String, String, String)]
    )
    func lastAndWeekday(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.nextDate(after: Self.date(after)) == Self.date(expected))
        #expect(cron.matches(Self.date(expected)))
    }

    @Test(
        "nL, n#k and L in the day of week",
        arguments: [
            ("0 0 * * 2#1", "2026-01-01 00:00", "2026-01-05 00:00"),  // first Monday
            ("0 0 * * 2#1", "2026-01-05 00:00", "2026-02-02 00:00"),
            ("0 0 * * MON#1", "2026-01-01 00:00", "2026-01-05 00:00"),
            ("0 0 * * SAT#5", "2020-01-01 00:00", "2020-02-29 00:00"),  // January 2020 has four Saturdays (saffron)
            ("0 0 * * 7L", "2020-01-01 00:00", "2020-01-25 00:00"),  // last Saturday (saffron)
            ("0 0 * * 7L", "2020-01-25 00:00", "2020-02-29 00:00"),
            ("0 0 * * L", "2026-01-01 00:00", "2026-01-03 00:00"),  // L alone is Saturday
            ("0 12 * * 7", "2026-01-01 00:00", "2026-01-03 12:00"),  // 7 is Saturday
        ] as [(String, String, String)]
    )
    func dayOfWeekExtensions(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.nextDate(after: Self.date(after)) == Self.date(expected))
        #expect(cron.matches(Self.date(expected)))
    }

    @Test(
        "lists, ranges and steps",
        arguments: [
            ("*/15 * * * *", "2024-01-01 00:14", "2024-01-01 00:15"),
            ("*/15 * * * *", "2024-01-01 00:15", "2024-01-01 00:30"),
            ("30 9 1 JAN,jul *", "2024-02-01 00:00", "2024-07-01 09:30"),
            ("0 0 29 2 *", "2023-03-01 00:00", "2024-02-29 00:00"),
            ("5-10/5 1-2 * * *", "2024-01-01 01:10", "2024-01-01 02:05"),
            ("10/20 * * * *", "2024-01-01 00:51", "2024-01-01 01:10"),
            ("59 23 31 12 *", "2024-12-31 23:59", "2025-12-31 23:59"),
            ("0 20-4/2 * * *", "2026-01-01 04:00", "2026-01-01 20:00"),  // wraps past midnight (saffron)
            ("0 20-4/2 * * *", "2026-01-01 22:00", "2026-01-02 00:00"),
            ("0 0 * * FRI-MON", "2026-01-06 00:00", "2026-01-09 00:00"),  // Tuesday → Friday
            ("50-10 * * * *", "2026-01-01 00:10", "2026-01-01 00:50"),  // 49 is not in 50-10
            ("5,* * * * *", "2026-01-01 00:00", "2026-01-01 00:05"),  // `*` after the first item is 0
            ("5,* * * * *", "2026-01-01 00:05", "2026-01-01 01:00"),
            ("0 0 13 * FRI", "2024-01-01 00:00", "2024-01-05 00:00"),  // day of month OR day of week
            ("0 0 */10 * MON", "2026-01-01 00:00", "2026-01-05 00:00"),  // */10 restricts, so OR applies
        ] as [(String, String, String)]
    )
    func listsRangesSteps(expression: String, after: String, expected: String) throws {
        let cron = try CronExpression(expression)
        #expect(cron.nextDate(after: Self.date(after)) == Self.date(expected))
        #expect(cron.matches(Self.date(expected)))
    }

    @Test("a wrapping range takes exactly its days: SAT-SUN is not Friday, FRI-MON is not Thursday")
    func wrappingRanges() throws {
        let weekend = try CronExpression("0 0 * * SAT-SUN")
        #expect(
            weekend.nextDates(after: Self.date("2026-01-01 00:00"), count: 4) == [
                Self.date("2026-01-03 00:00"), Self.date("2026-01-04 00:00"), Self.date("2026-01-10 00:00"), Self.date("2026-01-11 00:00"),
            ]
        )
        let long = try CronExpression("0 0 * * FRI-MON")
        #expect(!long.matches(Self.date("2026-01-08 00:00")))  // Thursday
        #expect(long.matches(Self.date("2026-01-12 00:00")))  // Monday
        #expect(!long.matches(Self.date("2026-01-13 00:00")))  // Tuesday
    }

    @Test("seconds inside a matching minute move on to the next match")
    func midMinute() throws {
        let cron = try CronExpression("*/5 * * * *")
        let start = Self.date("2024-01-01 00:05").addingTimeInterval(30)
        #expect(cron.matches(start))
        #expect(cron.nextDate(after: start) == Self.date("2024-01-01 00:10"))
    }

    @Test(
        "an expression that can never fire gives nil after a bounded search",
        arguments: ["0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 31W 4 *", "0 0 30W 2 *", "0 0 L-30 2 *", "0 0 L-29 FEB *"]
    )
    func never(expression: String) throws {
        #expect(try CronExpression(expression).nextDate(after: Self.date("2024-01-01 00:00")) == nil)
        #expect(try CronExpression(expression).nextDates(after: Self.date("2024-01-01 00:00"), count: 3).isEmpty)
    }

    @Test("out-of-range instants neither match nor fire")
    func extremeInstants() throws {
        let cron = try CronExpression("* * * * *")
        #expect(cron.nextDate(after: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(!cron.matches(Date(timeIntervalSince1970: .nan)))
        #expect(cron.nextDate(after: Date(timeIntervalSince1970: -86_400)) == Date(timeIntervalSince1970: -86_340))
    }

    @Test(
        "matches and nextDate agree day by day over two years",
        arguments: [
            "0 0 LW * *", "0 0 15W * *", "0 0 1W * *", "0 0 L-2W * *", "0 0 L-3 * *", "0 0 * * 6L", "0 0 * * 2#1",
            "0 0 * * SUN#5", "0 0 1,15 * MON", "0 0 L * FRI", "0 0 28-3 * *", "0 0 */3 2-11/3 *",
        ]
    )
    func agreement(expression: String) throws {
        let cron = try CronExpression(expression)
        let start = Self.date("2025-12-31 00:00")
        var expected: [Date] = []
        for day in 1...730 {
            let midnight = start.addingTimeInterval(Double(day) * 86_400)
            if cron.matches(midnight) { expected.append(midnight) }
        }
        #expect(!expected.isEmpty)
        #expect(cron.nextDates(after: start, count: expected.count + 1).prefix(expected.count) == expected[...])
    }

    @Test("matches checks every field")
    func matches() throws {
        let cron = try CronExpression("0 9 * * SAT,SUN")
        #expect(cron.matches(Self.date("2024-01-06 09:00")))
        #expect(!cron.matches(Self.date("2024-01-06 09:01")))
        #expect(!cron.matches(Self.date("2024-01-08 09:00")))
    }

    @Test(
        "malformed expressions are rejected with what is wrong and where",
        arguments: [
            ("* * * *", "expected 5 fields", 0),
            ("* * * * 0", "day-of-week 0 is not a day on Cloudflare: days are 1-7 with 1 = Sunday; write SUN-SAT to be unambiguous", 8),
            ("0 17 * * 0-5", "day-of-week 0 is not a day on Cloudflare", 9),
            ("0 17 * * 1-0", "day-of-week 0 is not a day on Cloudflare", 11),
            ("0 17 * * 3,0", "day-of-week 0 is not a day on Cloudflare", 11),
            ("* * * * 0L", "day-of-week 0 is not a day on Cloudflare", 8),
            ("* * * * 0#2", "day-of-week 0 is not a day on Cloudflare", 8),
            ("* * * * 8", "day-of-week 8 is outside 1-7", 8),
            ("60 * * * *", "minute 60 is outside 0-59", 0),
            ("* 24 * * *", "hour 24 is outside 0-23", 2),
            ("* * 0 * *", "day-of-month 0 is outside 1-31", 4),
            ("* * * 13 *", "month 13 is outside 1-12", 6),
            ("*/0 * * * *", "invalid step '0' in the minute field: steps are 1-59", 2),
            ("*/60 * * * *", "invalid step '60' in the minute field: steps are 1-59", 2),
            ("* * * * */7", "invalid step '7' in the day-of-week field: steps are 1-6", 10),
            ("1,,2 * * * *", "empty item in the minute list", 2),
            ("* * * FOO *", "invalid month 'FOO'", 6),
            ("+5 * * * *", "invalid minute '+5'", 0),
            ("*,5 * * * *", "'*' in the minute field stands alone or as */n", 0),
            ("* * ? * *", "Cloudflare does not take '?'; write *", 4),
            ("* * 32W * *", "day-of-month 32 is outside 1-31", 4),
            ("* * L-31 * *", "the offset in day-of-month 'L-31' is outside 1-30", 6),
            ("* * 1,LW * *", "Cloudflare takes L and W only as the whole field", 4),
            ("* * 15W,20 * *", "Cloudflare takes L and W only as the whole field", 4),
            ("* * lw * *", "Cloudflare takes L and W in upper case only", 4),
            ("* * * * fril", "Cloudflare takes L in upper case only", 8),
            ("* * * * 1,6L", "Cloudflare takes L and # only as the whole field", 8),
            ("* * * * 2#6", "the week after # is 1-5", 10),
            ("* * * * MON#0", "the week after # is 1-5", 12),
        ] as [(String, String, Int)]
    )
    func errors(expression: String, message: String, offset: Int) {
        do {
            _ = try CronExpression(expression)
            Issue.record("accepted \(expression)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.offset == offset, "\(expression): \(error.message)")
        }
    }
}
