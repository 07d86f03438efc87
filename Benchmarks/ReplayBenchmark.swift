import Drover
import DroverExamples
import DroverReplay
import Foundation

/// Fixture replay's own costs, without the runtime: parsing and validating a fixture, and
/// answering outbound calls from a recorded `upstream` list.
///
/// `swift run -c release Benchmarks replay [--fixtures N] [--calls N]`
///
/// With `--run N` it measures whole fixtures instead: N one-request fixtures of the playground
/// worker written to a temporary folder and replayed by ``ReplayRun`` with the default jobs
/// (the goal: 1 000 fixtures in at most 5 s on 2 cores). `--jobs N` overrides the parallelism.
enum ReplayBenchmark {
    static func run(arguments: [String]) async throws {
        if let count = option("--run", in: arguments) {
            try await runFixtures(count: count, jobs: option("--jobs", in: arguments))
            return
        }
        let fixtures = option("--fixtures", in: arguments) ?? 10_000
        let calls = option("--calls", in: arguments) ?? 100_000
        let text = Array(sampleFixture(upstreamEntries: 20).utf8)

        let clock = ContinuousClock()
        var steps = 0
        let json = try clock.measure {
            for _ in 0..<fixtures { steps += try JSONParser.parse(text).objectValue?.count ?? 0 }
        }
        let parse = try clock.measure {
            for index in 0..<fixtures {
                steps += try Fixture.parse(bytes: text, file: "Fixtures/bench/\(index).json").steps.count
            }
        }
        let fixture = try Fixture.parse(bytes: text, file: "bench.json")
        let fetcher = UpstreamReplayFetcher(entries: fixture.upstream, clock: ManualWallClock(fixture.now))
        let lastURL = "https://api.example.test/v1/items/19?page=2"
        let body = Body(text: #"{"id":19,"tags":["a","b"]}"#)
        let match = try await clock.measure {
            for _ in 0..<calls {
                _ = try await fetcher.fetch(lastURL, method: "POST", headers: ["idempotency-key": "k19"], body: body)
            }
        }
        print("benchmark            count      total        per item")
        print(row("JSON parse only", fixtures, json))
        print(row("fixture parse+check", fixtures, parse))
        print(row("upstream match (20)", calls, match))
        print("(\(text.count) bytes per fixture; checksum \(steps))")
    }

    /// Replays `count` one-request playground fixtures and prints the total and per-fixture time.
    private static func runFixtures(count: Int, jobs: Int?) async throws {
        // Benchmarks/ReplayBenchmark.swift -> the package root, where Examples/ lives.
        let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("replay-bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for index in 0..<count {
            let fixture = #"""
                {"name": "bench \#(index)", "config": "/Examples/playground/wrangler-like.toml", "secrets": {"API_TOKEN": "t"},
                 "steps": [{"request": {"method": "PUT", "path": "/kv/key-\#(index)", "body": "value \#(index)"}, "expect": {"status": 201}}]}
                """#
            try Data(fixture.utf8).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("f\(index).json")))
        }
        var registry = WorkerRegistry()
        registry.register("playground", PlaygroundWorker())
        registry.register(durableObject: "Counter", PlaygroundCounter.self)
        let runner = FixtureRunner(projectRoot: projectRoot, registry: registry)
        let replay = jobs.map { ReplayRun(paths: [folder], runner: runner, jobs: $0) } ?? ReplayRun(paths: [folder], runner: runner)
        let clock = ContinuousClock()
        var results: [FixtureResult] = []
        let total = try await clock.measure { results = try await replay.run() }
        let summary = ReplaySummary(results: results)
        if let failed = results.first(where: { $0.outcome == .failed }) { print(failed.line + "\n" + failed.renderedFailure()) }
        let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
        print("replay --run \(count) (jobs \(replay.jobs)): \(summary.line)")
        print(String(format: "total %.3f s, %.3f ms per fixture", seconds, seconds / Double(count) * 1000))
    }

    private static func row(_ name: String, _ count: Int, _ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let micro = seconds / Double(count) * 1e6
        return name.padding(toLength: 20, withPad: " ", startingAt: 0) + " " + String(format: "%8d %9.3f s %10.2f µs", count, seconds, micro)
    }

    private static func option(_ name: String, in arguments: [String]) -> Int? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }

    /// A fixture of typical size: KV and D1 seeds, `upstreamEntries` entries (the last one
    /// `"any"`, the one calls match), five steps with expectations, an end `expect`.
    private static func sampleFixture(upstreamEntries: Int) -> String {
        var upstream: [String] = []
        for index in 0..<upstreamEntries {
            upstream.append(
                #"{"request": {"method": "POST", "url": "https://api.example.test/v1/items/\#(index)?page=2", "headers": {"idempotency-key": "k\#(index)"}, "bodyJson": {"id": \#(index), "tags": ["a", "b"]}}, "response": {"status": 200, "headers": {"x-id": "\#(index)"}, "json": {"ok": true, "id": \#(index)}}, "times": \#(index == upstreamEntries - 1 ? "\"any\"" : "1")}"#
            )
        }
        return #"""
            {"name": "benchmark", "now": "2026-01-01T00:00:00Z", "secrets": {"S": "v"},
             "given": {"kv": {"SESSIONS": [{"key": "s:1", "json": {"user": 1}, "expirationTtl": 60}]},
                       "d1": {"DB": ["INSERT INTO users(id, email) VALUES (1, 'a@example.test')"]}},
             "upstream": [\#(upstream.joined(separator: ",\n"))],
             "upstreamStrict": false,
             "steps": [
               {"request": {"method": "POST", "path": "/orders", "json": {"items": [1, 2, 3]}}, "expect": {"status": 201, "jsonSubset": {"ok": true}}},
               {"drainQueues": true},
               {"advance": "15m"},
               {"scheduled": "*/5 * * * *"},
               {"request": {"method": "GET", "path": "/orders/1"}, "expect": {"status": 200, "headers": {"content-type": "application/json"}, "json": {"id": 1}}}
             ],
             "expect": {"kv": {"SESSIONS": {"s:1": {"jsonSubset": {"user": 1}}}},
                        "d1": [{"db": "DB", "query": "SELECT id FROM users", "rows": [{"id": 1}]}],
                        "queues": {"EMAILS": {"pending": 0}}, "upstreamCalls": 2, "logsNotContain": ["v"]}}
            """#
    }
}
