import Drover
import DroverReplay
import DroverTesting
import Foundation
import Testing

/// A worker tested with bindings declared in Swift (no config file), its `queue()` unit-tested
/// batch by batch, and its requirements checked before it serves anything.
@Suite struct FilelessTestClientTests {
    /// Counts visits in KV, notes each in D1, queues a job; its consumer acks jobs with a `to`,
    /// retries the rest after 60 s, and throws on a job marked `boom`.
    struct Visits: Worker {
        var requirements: [WorkerRequirement] { [.kv("KV"), .d1("DB"), .queue("JOBS"), .var("GREETING"), .secret("API_TOKEN")] }

        func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
            let kv = try env.kv("KV")
            let visits = Int(try await kv.get("visits") ?? "0")! + 1
            try await kv.put("visits", String(visits))
            _ = try await env.d1("DB").prepare("INSERT INTO notes (body) VALUES (?)").bind(.text("visit \(visits)")).run()
            try await env.queue("JOBS").send(json: ["visit": .integer(Int64(visits))])
            let token = try env.secret("API_TOKEN")
            return .json(["greeting": .string(env.vars["GREETING"] ?? ""), "visits": .integer(Int64(visits)), "token": .integer(Int64(token.count))])
        }

        func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
            for message in batch.messages {
                if message.body.json?["boom"] != nil { throw HTTPError(500, "boom") }
                if message.body.json?["to"] != nil { message.ack() } else { message.retry(delaySeconds: 60) }
            }
        }
    }

    @Test("bindings declared in Swift behave as the same lines of a config")
    func bindingsDeclaredInSwift() async throws {
        let client = try await TestClient(worker: Visits()) { bindings in
            bindings.kv("KV")
            bindings.d1("DB", schema: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            bindings.queue("JOBS", queue: "jobs")
            bindings.consumer(queue: "jobs", maxRetries: 0)
            bindings.var("GREETING", "hello")
            bindings.secret("API_TOKEN", "abcd")
        }
        #expect(try await client.request("GET", "/").json() == ["greeting": "hello", "visits": 1, "token": 4])
        #expect(try await client.request("GET", "/").json()["visits"] == 2)
        let notes = try await client.env.d1("DB").prepare("SELECT count(*) AS n FROM notes").first("n")
        #expect(notes == .integer(2))
        try await client.drainQueues()  // two jobs without "to": retried, then dropped (max_retries 0)
        await client.close()
    }

    @Test("a queue() handler is unit-tested batch by batch: each message's decision comes back")
    func queueHandlerDecisions() async throws {
        let client = try await TestClient(worker: Visits()) { bindings in
            bindings.kv("KV")
            bindings.d1("DB")
            bindings.queue("JOBS")
            bindings.var("GREETING", "hi")
            bindings.secret("API_TOKEN", "t")
        }
        let mixed = await client.queue("jobs", bodies: [.json(["to": "a@example.test"]), .text("no recipient"), .json(["to": "b"])])
        #expect(mixed == QueueBatchOutcome(decisions: [.ack, .retry(delaySeconds: 60), .ack], threw: false))
        // Thrown: what it acked stays acked, the rest is retried.
        let thrown = await client.queue("jobs", bodies: [.json(["to": "a"]), .json(["boom": true]), .json(["to": "c"])])
        #expect(thrown == QueueBatchOutcome(decisions: [.ack, .retry(delaySeconds: nil), .retry(delaySeconds: nil)], threw: true))
        await client.close()
    }

    @Test("a worker's unmet requirements refuse the start, each named with where to declare it")
    func requirementsAreCheckedAtStart() async throws {
        let error = try await #require(throws: WorkerError.self) {
            _ = try await TestClient(worker: Visits()) { bindings in
                bindings.kv("KV")
                bindings.var("GREETING", "hi")
            }
        }
        let message = error.description
        #expect(message.contains("D1 database \"DB\" ([[d1_databases]] binding = \"DB\")"))
        #expect(message.contains("queue producer \"JOBS\""))
        #expect(message.contains("secret \"API_TOKEN\" (a line API_TOKEN=... in .dev.vars, or drover secret put API_TOKEN)"))
        #expect(!message.contains("KV namespace \"KV\"") && !message.contains("var \"GREETING\""))
    }
}

/// The same check in replay and under `drover dev`: both build their runtime the one way.
@Suite struct RequirementsAtStartTests {
    /// The playground, asking for a secret and a KV namespace its config does not give.
    struct Demanding: Worker {
        var requirements: [WorkerRequirement] { [.kv("KV"), .secret("STRIPE_KEY"), .kv("CACHE")] }
        func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response { Response("never") }
    }

    @Test("replay refuses to run a fixture whose worker's requirements the config does not meet")
    func replayRefuses() async throws {
        var registry = WorkerRegistry()
        registry.register("playground", Demanding())
        let runner = FixtureRunner(projectRoot: RepositoryFixturesTests.projectRoot, registry: registry)
        let result = try #require(await runner.run(path: RepositoryFixturesTests.projectRoot + "/Fixtures/playground/time.json"))
        let text = result.errors.joined(separator: "\n")
        #expect(text.contains("secret \"STRIPE_KEY\"") && text.contains("KV namespace \"CACHE\""), "\(text)")
        #expect(!text.contains("KV namespace \"KV\""))
    }
}
