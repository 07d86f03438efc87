import Drover
import DroverTesting
import Foundation
import Testing

/// The worker of README's "Writing your own worker", verbatim, run with its config.
private struct Hello: Worker {
    func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let visits = Int(try await env.kv("KV").get("visits") ?? "0")! + 1
        try await env.kv("KV").put("visits", String(visits))
        ctx.waitUntil { try await env.queue("JOBS").send(json: ["visit": .integer(Int64(visits))]) }
        return .json(["hello": .string(env.vars["GREETING"] ?? "world"), "visits": .integer(Int64(visits))])
    }

    func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        for message in batch.messages {
            ctx.logger.info("got \(message.body)")
            message.ack()
        }
    }
}

@Suite struct ReadmeWorkerTests {
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
