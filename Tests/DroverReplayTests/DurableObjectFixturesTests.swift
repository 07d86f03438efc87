import Drover
import DroverExamples
import Foundation
import Testing

@testable import DroverReplay

/// `given.durableObjects`, `expect.durableObjects` and alarms on `advance`, against the
/// playground's `Counter`: each with a failing variant whose path and values are asserted.
@Suite("Replay: Durable Objects")
struct DurableObjectFixturesTests {
    private func run(_ json: String) async throws -> FixtureResult {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drover-do-fixture-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/fixture.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        let runner = FixtureRunner(projectRoot: RepositoryFixturesTests.projectRoot, registry: RepositoryFixturesTests.registry, environment: [:])
        return try #require(await runner.run(path: path))
    }

    @Test func wrongExpectationsFailWithTheirPaths() async throws {
        let result = try await run(
            #"""
            {"name": "wrong", "config": "/Examples/playground/wrangler-like.toml",
             "given": {"durableObjects": {"COUNTER": {"ann": {"storage": {"count": 5}, "sql": ["CREATE TABLE t (x)"], "alarm": 1767225610000}}}},
             "steps": [{"request": {"method": "POST", "path": "/do/counter/ann/incr"}, "expect": {"jsonSubset": {"count": 6}}},
                       {"advance": "10s"}],
             "expect": {"durableObjects": {"COUNTER": {"ann": {
                 "storage": {"count": 7, "alarms": 1},
                 "alarm": 1767225610000,
                 "sql": [{"query": "SELECT count(*) AS n FROM t", "rows": [{"n": 1}]}]}}}}}
            """#)
        #expect(result.outcome == .failed)
        let messages = result.failureMessages.joined(separator: "\n")
        #expect(messages.contains(#"expect.durableObjects.COUNTER.ann.storage: expected {"count":7,"alarms":1}, got {"alarms":1,"count":6}"#), "\(messages)")
        #expect(messages.contains("expect.durableObjects.COUNTER.ann.alarm: expected 1767225610000, got null"), "\(messages)")
        #expect(messages.contains("expect.durableObjects.COUNTER.ann.sql[0].rows: expected 1 rows, got 1") == false)
        #expect(messages.contains("expect.durableObjects.COUNTER.ann.sql[0].rows[0].n: expected 1, got 0"), "\(messages)")
    }

    @Test func unknownKeysAndBindingsAreRefused() async throws {
        let unknown = try await run(
            #"{"name": "typo", "config": "/Examples/playground/wrangler-like.toml", "given": {"durableObjects": {"COUNTER": {"ann": {"stroage": {}}}}}, "steps": []}"#)
        #expect(unknown.outcome != .passed)
        #expect(unknown.failureMessages.joined().contains("given.durableObjects.COUNTER.ann.stroage"), "\(unknown.failureMessages)")
        let binding = try await run(
            #"{"name": "binding", "config": "/Examples/playground/wrangler-like.toml", "given": {"durableObjects": {"NOPE": {"ann": {}}}}, "steps": [{"advance": "1s"}]}"#)
        #expect(binding.outcome != .passed)
        #expect(binding.failureMessages.joined().contains("no Durable Object namespace bound as NOPE"), "\(binding.failureMessages)")
    }
}
