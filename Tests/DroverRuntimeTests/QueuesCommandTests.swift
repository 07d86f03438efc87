import Drover
import Foundation
import Testing

/// `drover queues ...` on a temporary `--persist-to`.
@Suite struct QueuesCommandTests {
    static func stats(_ project: PlaygroundProject) async throws -> [String: JSONValue] {
        let list = await project.cli(["queues", "list", "--json"])
        #expect(list.status == 0, "\(list.errors)")
        var byQueue: [String: JSONValue] = [:]
        for entry in try JSONParser.parse(list.output).arrayValue ?? [] {
            if let name = entry["queue"]?.stringValue { byQueue[name] = entry }
        }
        return byQueue
    }

    @Test func sendAndListCounts() async throws {
        let project = try PlaygroundProject.make()
        #expect(await project.cli(["queues", "send", "jobs", #"{"action":"ack"}"#]).status == 0)
        #expect(await project.cli(["queues", "send", "JOBS", "plain text"]).status == 0)  // the producer binding
        #expect(await project.cli(["queues", "send", "jobs", "later", "--delay", "600"]).status == 0)
        let stats = try await Self.stats(project)
        #expect(stats["jobs"]?["pending"] == .integer(2))
        #expect(stats["jobs"]?["delayed"] == .integer(1))
        #expect(stats["jobs-dlq"]?["pending"] == .integer(0))

        let table = await project.cli(["queues", "list"])
        #expect(table.status == 0)
        let row = table.output.split(separator: "\n").first { $0.hasPrefix("jobs ") }
        #expect(row?.split(separator: " ", omittingEmptySubsequences: true).prefix(3) == ["jobs", "2", "1"])
    }

    @Test func aBadDelayIsAUsageError() async throws {
        let project = try PlaygroundProject.make()
        let result = await project.cli(["queues", "send", "jobs", "x", "--delay", "soon"])
        #expect(result.status == 64)
        #expect(result.errors.contains("--delay expects an integer"))
    }

    @Test func deadLettersAreListedAndReplayed() async throws {
        // A consumer that always retries sends the message to jobs-dlq after max_retries; the DLQ
        // has no consumer here, so the message stays there.
        let project = try PlaygroundProject.make { config in
            let dlqConsumer = "[[queues.consumers]]\nqueue = \"jobs-dlq\"\nmax_batch_size = 10\nmax_batch_timeout = 1\nmax_retries = 0\n"
            return config.replacingOccurrences(of: dlqConsumer, with: "").replacingOccurrences(of: "max_retries = 2", with: "max_retries = 0")
        }
        let running = try await DevServerTests.start(project)
        #expect(try await httpRequest(port: running.port, "POST", "/queue/send", body: #"{"body": {"action": "retry", "id": 7}}"#).status == 202)
        try await eventually("a dead letter") {
            let list = await project.cli(["queues", "dlq", "list", "jobs-dlq", "--json"])
            return (try? JSONParser.parse(list.output).arrayValue?.count) == 1
        }
        await running.server.shutdown()

        let letters = try #require(try JSONParser.parse(await project.cli(["queues", "dlq", "list", "jobs-dlq", "--json"]).output).arrayValue)
        #expect(letters.count == 1)
        #expect(letters[0]["from"]?.stringValue == "jobs")
        #expect(letters[0]["body"]?["id"] == .integer(7))
        let table = await project.cli(["queues", "dlq", "list", "jobs-dlq"])
        #expect(table.output.contains("jobs") && table.output.contains("\"id\":7"))
        #expect(try await Self.stats(project)["jobs-dlq"]?["deadLettered"] != nil)

        let replay = await project.cli(["queues", "dlq", "replay", "jobs-dlq"])
        #expect(replay.status == 0, "\(replay.errors)")
        #expect(replay.output.contains("Replayed 1 message."))
        let empty = await project.cli(["queues", "dlq", "list", "jobs-dlq"])
        #expect(empty.output.contains("No dead letters in jobs-dlq."))
        #expect(try await Self.stats(project)["jobs"]?["pending"] == .integer(1))
    }
}
