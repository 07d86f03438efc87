import Drover
import Foundation
import Testing

/// `drover triggers list`: each configured cron trigger's next fire times in UTC, read as Cloudflare
/// reads them (day-of-week 1 = Sunday, `LW` = last weekday).
@Suite struct TriggersCommandTests {
    static let playgroundCrons = #"crons = ["*/5 * * * *"]"#

    /// The playground with `crons` as its cron triggers.
    static func project(crons: [String]) throws -> PlaygroundProject {
        let list = crons.map { "\"\($0)\"" }.joined(separator: ", ")
        return try PlaygroundProject.make { $0.replacingOccurrences(of: playgroundCrons, with: "crons = [\(list)]") }
    }

    @Test func listsEachCronThenItsTimesInUTC() async throws {
        let project = try Self.project(crons: ["0 17 * * 1", "59 23 LW * *"])
        let result = await project.cli(["triggers", "list", "--from", "2026-01-01T00:00:00Z", "--count", "2"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(
            result.output == """
                0 17 * * 1
                  2026-01-04T17:00:00Z
                  2026-01-11T17:00:00Z
                59 23 LW * *
                  2026-01-30T23:59:00Z
                  2026-02-27T23:59:00Z

                """
        )
    }

    @Test func jsonHasTheCronAndItsNextTimes() async throws {
        let project = try Self.project(crons: ["0 17 * * sun", "0 18 * * 6L"])
        let result = await project.cli(["triggers", "list", "--from", "2026-01-01T00:00:00Z", "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let json = try JSONParser.parse(result.output)
        let expected: JSONValue = [
            [
                "cron": "0 17 * * sun",
                "next": ["2026-01-04T17:00:00Z", "2026-01-11T17:00:00Z", "2026-01-18T17:00:00Z", "2026-01-25T17:00:00Z", "2026-02-01T17:00:00Z"],
            ],
            [
                "cron": "0 18 * * 6L",
                "next": ["2026-01-30T18:00:00Z", "2026-02-27T18:00:00Z", "2026-03-27T18:00:00Z", "2026-04-24T18:00:00Z", "2026-05-29T18:00:00Z"],
            ],
        ]
        #expect(json == expected)
        // Keys in the documented order.
        #expect(JSONSerializer.string(json).hasPrefix(#"[{"cron":"0 17 * * sun","next":["2026-01-04T17:00:00Z""#))
    }

    @Test func aFireAtExactlyFromIsListedAndOneInAStartedMinuteIsNot() async throws {
        let project = try Self.project(crons: ["0 17 * * 1"])
        let exact = await project.cli(["triggers", "list", "--from", "2026-01-04T17:00:00Z", "--count", "1", "--json"])
        #expect(try JSONParser.parse(exact.output)[0]?["next"] == ["2026-01-04T17:00:00Z"])
        let later = await project.cli(["triggers", "list", "--from", "2026-01-04T19:00:30+02:00", "--count", "1", "--json"])
        #expect(try JSONParser.parse(later.output)[0]?["next"] == ["2026-01-11T17:00:00Z"])
    }

    @Test func shortConfigFlagReadsTheNamedFile() async throws {
        let project = try Self.project(crons: ["0 0 * * 2#1"])
        let elsewhere = try TemporaryDirectory()
        let result = await CLIRun.run(
            ["triggers", "list", "-c", project.configPath, "--from", "2026-01-01T00:00:00Z", "--count", "1", "--persist-to", project.statePath],
            in: elsewhere.path,
            registry: PlaygroundProject.registry
        )
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == "0 0 * * 2#1\n  2026-01-05T00:00:00Z\n")
    }

    @Test func anExpressionThatNeverFiresSaysSo() async throws {
        let project = try Self.project(crons: ["0 0 30 2 *"])
        let text = await project.cli(["triggers", "list", "--from", "2026-01-01T00:00:00Z"])
        #expect(text.status == 0)
        #expect(text.output.contains("0 0 30 2 *\n  never fires"))
        let json = await project.cli(["triggers", "list", "--from", "2026-01-01T00:00:00Z", "--json"])
        #expect(try JSONParser.parse(json.output) == [["cron": "0 0 30 2 *", "next": []]])
    }

    @Test func aConfigWithoutCronsSaysSo() async throws {
        let project = try PlaygroundProject.make { $0.replacingOccurrences(of: "[triggers]\n" + Self.playgroundCrons, with: "") }
        let text = await project.cli(["triggers", "list"])
        #expect(text.status == 0)
        #expect(text.output.hasPrefix("No cron triggers in \(project.configPath)"))
        let json = await project.cli(["triggers", "list", "--json"])
        #expect(json.status == 0)
        #expect(json.output == "[]\n")
    }

    @Test func defaultsToFiveTimesFromNow() async throws {
        let project = try PlaygroundProject.make()
        let before = Date()
        let result = await project.cli(["triggers", "list", "--json"])
        let times = try #require(try JSONParser.parse(result.output)[0]?["next"]?.arrayValue)
        #expect(times.count == 5)
        let first = try #require(times.first?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
        #expect(first >= before.addingTimeInterval(-60) && first <= before.addingTimeInterval(5 * 60 + 60))
    }

    @Test(arguments: [
        (["--from", "2026-01-01"], "--from expects an RFC 3339 date-time such as 2026-01-01T00:00:00Z, got \"2026-01-01\""),
        (["--from", "2026-02-30T00:00:00Z"], "--from expects an RFC 3339 date-time"),
        (["--count", "0"], "--count must be 1-1000, got 0"),
        (["--count", "1001"], "--count must be 1-1000, got 1001"),
        (["--count", "many"], "--count expects an integer, got \"many\""),
    ])
    func usageErrors(arguments: [String], message: String) async throws {
        let project = try PlaygroundProject.make()
        let result = await project.cli(["triggers", "list"] + arguments)
        #expect(result.status == 64)
        #expect(result.errors.contains("error: \(message)"), "\(result.errors)")
        #expect(result.errors.contains("Usage: drover triggers list"))
        #expect(result.output.isEmpty)
    }

    @Test func aDayOfWeekZeroIsRefusedWithItsLocation() async throws {
        let project = try Self.project(crons: ["0 17 * * 0"])
        let result = await project.cli(["triggers", "list"])
        #expect(result.status == 1)
        let line = try #require(result.errors.split(separator: "\n").first { $0.contains("wrangler-like.toml:") })
        #expect(line.contains("day-of-week 0 is not a day on Cloudflare: days are 1-7 with 1 = Sunday; write SUN-SAT"))
        let match = try #require(line.firstMatch(of: #/wrangler-like\.toml:(\d+):(\d+): /#))
        let config = try String(contentsOfFile: project.configPath, encoding: .utf8)
        let lines = config.split(separator: "\n", omittingEmptySubsequences: false)
        let row = Array(lines[try #require(Int(match.output.1)) - 1])
        let column = try #require(Int(match.output.2))
        #expect(row[column - 1] == "0" && row[column - 2] == " ", "points at \(String(row[(column - 1)...]))")
    }

    @Test func helpListsTheCommandAndItsFlags() async {
        let top = await CLIRun.run(["--help"], in: FileManager.default.temporaryDirectory.path, registry: WorkerRegistry())
        #expect(top.output.contains("triggers list"))
        let help = await CLIRun.run(["triggers", "list", "--help"], in: FileManager.default.temporaryDirectory.path, registry: WorkerRegistry())
        #expect(help.status == 0)
        for flag in ["-c, --config FILE", "--from RFC3339", "--count N", "--json", "1 is Sunday"] {
            #expect(help.output.contains(flag), "missing \(flag)")
        }
    }
}
