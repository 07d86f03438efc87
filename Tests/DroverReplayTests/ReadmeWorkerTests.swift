import Drover
import DroverTesting
import Foundation
import Testing

/// The worker of README's "Writing your own worker", verbatim, run with its config.
private struct Hello: Worker {
    func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let kv = try env.kv("KV")
        let visits = (try await kv.get("visits", as: Int.self) ?? 0) + 1
        try await kv.put("visits", String(visits))
        ctx.waitUntil { try await env.queue("JOBS").send(json: ["visit": visits]) }
        return .json(["hello": env.vars["GREETING"] ?? "world", "visits": visits])
    }

    func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        for message in batch.messages {
            ctx.logger.info("got \(message.body)")
            message.ack()
        }
    }
}

@Suite struct ReadmeWorkerTests {
    /// The `Hello` above is README's, character for character (but for `private`).
    @Test func theWorkerAboveIsTheReadmes() throws {
        let testFile = URL(fileURLWithPath: #filePath)
        let root = testFile.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: testFile, encoding: .utf8)
        func worker(in text: String, from start: String) -> String? {
            guard let begin = text.range(of: start) else { return nil }
            guard let end = text.range(of: "\n}\n", range: begin.upperBound..<text.endIndex) else { return nil }
            return String(text[begin.upperBound..<end.upperBound])
        }
        let readmeWorker = try #require(worker(in: readme, from: "\nstruct Hello: Worker {"))
        let testWorker = try #require(worker(in: source, from: "\nprivate struct Hello: Worker {"))
        #expect(readmeWorker == testWorker)
    }

    @Test func theReadmeWorkerCountsVisitsAndQueuesThem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drover-readme-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The config of README, verbatim.
        let config = """
            name = "hello"
            main = "hello"        # the registered worker's name

            [vars]
            GREETING = "drover"

            [[kv_namespaces]]
            binding = "KV"
            id = "hello-kv"

            [[queues.producers]]
            binding = "JOBS"
            queue = "jobs"

            [[queues.consumers]]
            queue = "jobs"
            """
        try config.write(toFile: directory + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        let logs = MemoryLogSink()
        let client = try await TestClient(worker: Hello(), config: directory + "/wrangler-like.toml", logSink: logs)
        #expect(try await client.request("GET", "/").json() == ["hello": "drover", "visits": 1])
        #expect(try await client.request("GET", "/").json() == ["hello": "drover", "visits": 2])
        try await client.drainQueues()
        #expect(logs.lines.contains { $0.hasPrefix("got {\"visit\":1}") })
        #expect(logs.lines.contains { $0.hasPrefix("got {\"visit\":2}") })
        await client.close()
    }
}
