import Drover
import DroverConfig
import DroverReplay
import Foundation

/// `drover triggers list`: when each configured cron trigger fires next, in UTC, so a schedule can
/// be checked before waiting for it. Expressions read as Cloudflare reads them (``CronExpression``).
enum TriggersCommand {
    static var specs: [CommandSpec] { [list] }

    /// How many fire times `--count` may ask for.
    static let counts = 1...1000
    /// Fire times per trigger without `--count`.
    static let defaultCount = 5

    static let list = CommandSpec(
        path: ["triggers", "list"],
        summary: "List each cron trigger's next fire times (UTC)",
        options: Commands.configOptions + [
            .value("from", "RFC3339", "List fire times at or after this instant, such as 2026-01-01T00:00:00Z", default: "now"),
            .value("count", "N", "Fire times per trigger, \(counts.lowerBound)-\(counts.upperBound)", default: "\(defaultCount)"),
            .flag("json", "Print JSON: [{\"cron\": EXPR, \"next\": [TIME, ...]}]"),
        ],
        discussion: """
            Times are whole minutes in UTC, as Cloudflare fires cron triggers. Day-of-week 1 is Sunday
            (as on Cloudflare), and L, W, LW and # are understood.

            Examples:
              drover triggers list
              drover triggers list -c Examples/playground/wrangler-like.toml --from 2026-01-01T00:00:00Z --count 3 --json
            """,
        run: { arguments, context in
            let from = try fromDate(arguments)
            let count = try arguments.integer("count") ?? defaultCount
            guard counts.contains(count) else {
                throw UsageError("--count must be \(counts.lowerBound)-\(counts.upperBound), got \(count)")
            }
            let project = try Project.load(arguments, context: context)
            let crons = project.config.triggers.crons
            // A fire at exactly `from` counts: search from the second before it.
            let schedules = crons.map { ($0, $0.nextDates(after: from.addingTimeInterval(-1), count: count)) }
            if arguments.flag("json") {
                context.print(
                    JSONSerializer.prettyString(
                        .array(schedules.map { cron, dates in ["cron": .string(cron.source), "next": .array(dates.map { .string(timestamp($0)) })] })
                    )
                )
            } else if crons.isEmpty {
                context.print("No cron triggers in \(project.config.configPath) (add [triggers] crons = [\"...\"]).")
            } else {
                context.print(render(schedules))
            }
            return DroverCommandLine.success
        }
    )

    /// `--from` as an instant; now when absent.
    /// - Throws: ``UsageError`` when it is not an RFC 3339 date-time.
    private static func fromDate(_ arguments: ParsedArguments) throws -> Date {
        guard let text = arguments.value("from") else { return Date() }
        guard let date = FixtureTime.parseTimestamp(text) else {
            throw UsageError("--from expects an RFC 3339 date-time such as 2026-01-01T00:00:00Z, got \"\(text)\"")
        }
        return date
    }

    /// Each expression, then its times indented beneath it.
    static func render(_ schedules: [(CronExpression, [Date])]) -> String {
        var lines: [String] = []
        for (cron, dates) in schedules {
            lines.append(cron.source)
            if dates.isEmpty { lines.append("  never fires (no date in the next 400 years matches)") }
            for date in dates { lines.append("  " + timestamp(date)) }
        }
        return lines.joined(separator: "\n")
    }

    /// `2026-01-04T17:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
