import Drover
import DroverTestSupport
import DroverTesting
import Foundation
import Synchronization
import Testing

@testable import DroverReplay

/// `env.clock.sleep(for:)` and trace context under the frozen clock: TestClient and fixture replay.
@Suite struct ClockAndTraceReplayTests {
    static let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    static let incomingTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

    // MARK: The clock that can wait

    @Test func aThirtySecondBackoffThreeTimesIsInstantUnderTestClient() async throws {
        let project = try TracerProject()
        let logs = MemoryLogSink()
        let client = try await TestClient(
            worker: TracerWorker(),
            config: project.configPath,
            fetch: FlakyUpstream(failures: 3),
            logSink: logs
        )
        let start = client.clock.now()
        let began = ContinuousClock.now
        let response = await client.request("GET", "/backoff")
        #expect(try await response.json() == ["attempts": 4, "waitedMs": 90_000])
        #expect(client.clock.now().timeIntervalSince(start) == 90)
        #expect(began.duration(to: .now) < .seconds(60), "no real waiting (it would take 90 s; the bound is loose for a busy machine)")

        // Log records are stamped with the frozen clock, which the sleeps moved.
        let stamps = logs.all.map { ($0.message.split(separator: ";").first.map(String.init) ?? "", $0.date.timeIntervalSince(start)) }
        #expect(stamps.filter { $0.0.hasPrefix("attempt ") }.map(\.1) == [0, 30, 60])
        #expect(logs.all.last?.message.hasPrefix("GET /backoff 200 OK") == true)
        #expect(logs.all.last?.date == start.addingTimeInterval(90))
        await client.close()
    }

    @Test func aThirtySecondBackoffThreeTimesIsInstantInReplayAndLaterStepsSeeTheLaterTime() async throws {
        let project = try TracerProject()
        let began = ContinuousClock.now
        let result = try await project.run(
            "backoff.json",
            #"""
            {"name": "a 30 s backoff three times",
             "config": "/tracer.toml",
             "upstream": [
               {"request": {"method": "GET", "url": "https://api.example.test/flaky"}, "response": {"status": 503}, "times": 3},
               {"request": {"method": "GET", "url": "https://api.example.test/flaky"}, "response": {"status": 200, "body": "ok"}}
             ],
             "steps": [
               {"request": {"path": "/backoff"}, "expect": {"status": 200, "json": {"attempts": 4, "waitedMs": 90000}}},
               {"request": {"path": "/now"}, "expect": {"json": {"now": 1767225690000}}}
             ]}
            """#
        )
        #expect(result.outcome == .passed, "\(result.failureMessages)")
        #expect(began.duration(to: .now) < .seconds(60), "no real waiting (it would take 90 s; the bound is loose for a busy machine)")
    }

    // MARK: Trace context

    @Test func anIncomingTraceparentIsContinuedIntoLogsWaitUntilAndQueueMessagesEvenDeadLettered() async throws {
        let project = try TracerProject()
        let result = try await project.run(
            "continued.json",
            #"""
            {"name": "an incoming traceparent is continued",
             "config": "/tracer.toml",
             "steps": [
               {"request": {"path": "/trace", "headers": {"traceparent": "\#(Self.incoming)", "tracestate": "congo=t61rcWkgMzE"}},
                "expect": {"jsonSubset": {"traceId": "\#(Self.incomingTraceID)", "parentId": "00f067aa0ba902b7",
                                          "traceState": "congo=t61rcWkgMzE"}}},
               {"drainQueues": true}
             ],
             "expect": {
               "logsContain": [
                 "handled /trace request=1 trace=\#(Self.incomingTraceID)",
                 "background /trace request=1 trace=\#(Self.incomingTraceID)",
                 "consumed job attempt 1 on jobs sent under \#(Self.incomingTraceID)",
                 "consumed job attempt 2 on jobs sent under \#(Self.incomingTraceID)",
                 "consumed job attempt 1 on jobs-dlq sent under \#(Self.incomingTraceID)",
                 "consumed from-background attempt 1 on jobs-dlq sent under \#(Self.incomingTraceID)"
               ],
               "queues": {"jobs": {"pending": 0, "deadLettered": 2}, "jobs-dlq": {"pending": 0}}
             }}
            """#
        )
        #expect(result.outcome == .passed, "\(result.failureMessages)")
        // The request line carries the trace too.
        #expect(result.logLines.contains { $0.hasPrefix("GET /trace 200 OK") && $0.hasSuffix("trace=\(Self.incomingTraceID)") })
    }

    @Test func replayTraceIdsAreTheSameOnEveryRun() async throws {
        let project = try TracerProject()
        let fixture = #"""
            {"name": "trace ids repeat from run to run",
             "config": "/tracer.toml",
             "steps": [
               {"request": {"path": "/trace", "headers": {"traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}},
                "expect": {"jsonSubset": {"parentId": null}}},
               {"request": {"path": "/trace"}},
               {"drainQueues": true}
             ]}
            """#
        let first = try await project.run("ids.json", fixture)
        let second = try await project.run("ids.json", fixture)
        #expect(first.outcome == .passed, "\(first.failureMessages)")
        #expect(Self.normalized(first.logLines) == Self.normalized(second.logLines))

        let traces = Set(first.logLines.compactMap(Self.traceID))
        #expect(traces.count == 2 + 3, "two requests, three batches (jobs twice, jobs-dlq once)")
        #expect(!traces.contains(Self.incomingTraceID))
        // Each message names the request that sent it.
        let handled = first.logLines.filter { $0.hasPrefix("handled /trace") }.compactMap(Self.traceID)
        #expect(handled.count == 2)
        for trace in handled {
            #expect(first.logLines.contains { $0.hasPrefix("consumed job attempt 1 on jobs sent under \(trace)") })
            #expect(first.logLines.contains { $0.hasPrefix("consumed job attempt 1 on jobs-dlq sent under \(trace)") })
        }
    }

    @Test func testClientTraceIdsAreTheSameOnEveryRun() async throws {
        let project = try TracerProject()
        func run() async throws -> [JSONValue] {
            let client = try await TestClient(worker: TracerWorker(), config: project.configPath)
            var answers: [JSONValue] = []
            for _ in 0..<2 { answers.append(try await client.request("GET", "/trace").json()) }
            await client.close()
            return answers
        }
        let first = try await run()
        #expect(first == (try await run()))
        #expect(first[0]["traceId"] != first[1]["traceId"])
    }

    // MARK: Helpers

    /// `trace=<id>` at the end of a text line.
    static func traceID(_ line: String) -> String? {
        guard let range = line.range(of: " trace=", options: .backwards) else { return nil }
        return String(line[range.upperBound...])
    }

    /// Lines with their real-time durations (`(0.12ms)`) and queue message ids (random, not
    /// trace ids) blanked, sorted: what must not change from run to run.
    static func normalized(_ lines: [String]) -> [String] {
        lines.map {
            $0.replacingOccurrences(of: #"\(\d+(\.\d+)?m?s\)"#, with: "(T)", options: .regularExpression)
                .replacingOccurrences(of: #"message "[0-9a-f]{32}""#, with: "message ID", options: .regularExpression)
        }.sorted()
    }
}

/// Retries an upstream with a 30 s backoff; shows its trace; sends queue messages; consumes them
/// (retrying on `jobs`, so they end up in `jobs-dlq`).
struct TracerWorker: Worker {
    func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        switch request.path {
        case "/backoff":
            let start = env.now
            var attempts = 0
            while true {
                attempts += 1
                let answer = try await env.fetch.fetch("https://api.example.test/flaky")
                if answer.status < 500 || attempts == 4 { break }
                ctx.logger.info("attempt \(attempts) failed; retrying in 30 s")
                try await env.clock.sleep(for: .seconds(30))
            }
            return .json(["attempts": .integer(Int64(attempts)), "waitedMs": .integer(Int64(env.now.timeIntervalSince(start) * 1000))])
        case "/now":
            return .json(["now": .integer(env.clock.nowMilliseconds())])
        case "/trace":
            ctx.logger.info("handled /trace")
            let queue = try env.queue("JOBS")
            ctx.waitUntil {
                ctx.logger.info("background /trace")
                try await queue.send(.text("from-background"))
            }
            try await queue.send(.text("job"))
            return .json(ctx.trace.testJSON)
        default:
            return Response("not found", status: 404)
        }
    }

    func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        for message in batch.messages {
            ctx.logger.info(
                "consumed \(message.body) attempt \(message.attempts) on \(batch.queue) sent under \(message.trace?.traceID ?? "none")"
            )
            if batch.queue == "jobs" { message.retry() } else { message.ack() }
        }
    }
}

/// Answers 503 `failures` times, then 200.
final class FlakyUpstream: Fetcher {
    private let remaining: Mutex<Int>

    init(failures: Int) { remaining = Mutex(failures) }

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        let fail = remaining.withLock { count -> Bool in
            defer { count -= 1 }
            return count > 0
        }
        return Response(fail ? "unavailable" : "ok", status: fail ? 503 : 200)
    }
}

/// A temporary project with the tracer worker's config; fixtures under `fixtures/`.
final class TracerProject: Sendable {
    let root: String
    var configPath: String { root + "/tracer.toml" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("tracer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/fixtures", withIntermediateDirectories: true)
        try """
        name = "tracer"
        main = "tracer"
        compatibility_date = "2026-01-01"

        [[queues.producers]]
        binding = "JOBS"
        queue = "jobs"

        [[queues.consumers]]
        queue = "jobs"
        max_retries = 1
        dead_letter_queue = "jobs-dlq"

        [[queues.consumers]]
        queue = "jobs-dlq"
        max_retries = 0
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func run(_ name: String, _ json: String) async throws -> FixtureResult {
        let path = root + "/fixtures/" + name
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        var registry = WorkerRegistry()
        registry.register("tracer", TracerWorker())
        let runner = FixtureRunner(projectRoot: root, registry: registry, environment: [:])
        return try #require(await runner.run(path: path))
    }
}
