import Drover
import DroverTesting
import Foundation
import Testing

@testable import my_drover

@Suite struct HelloTests {
    @Test func countsVisits() async throws {
        let client = try await TestClient(worker: Hello()) { bindings in
            bindings.kv("KV")
            bindings.queue("JOBS", queue: "jobs")
            bindings.var("GREETING", "tests")
        }
        #expect(try await client.request("GET", "/").json() == ["hello": "tests", "visits": 1])
        #expect(try await client.request("GET", "/").json() == ["hello": "tests", "visits": 2])
        await client.close()
    }

    @Test func runsWithItsConfigFile() async throws {
        let config = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("wrangler-like.toml").path
        let logs = MemoryLogSink()
        let client = try await TestClient(worker: Hello(), config: config, logSink: logs)
        #expect(try await client.request("GET", "/").json() == ["hello": "drover", "visits": 1])
        try await client.drainQueues()
        #expect(logs.lines.contains { $0.hasPrefix("got {\"visit\":1}") })
        await client.close()
    }

    @Test func acksVisitsAndRetriesTheRest() async throws {
        let client = try await TestClient(worker: Hello()) { bindings in
            bindings.kv("KV")
            bindings.queue("JOBS", queue: "jobs")
        }
        let outcome = await client.queue("jobs", bodies: [.json(["visit": 1]), .text("not a visit")])
        #expect(outcome.decisions == [.ack, .retry(delaySeconds: 30)])
        await client.close()
    }

    @Test func readsTypedRows() async throws {
        struct Note: Decodable, Equatable {
            let id: Int
            let body: String
            let pinned: Bool
        }
        let client = try await TestClient(worker: Hello()) { bindings in
            bindings.kv("KV")
            bindings.queue("JOBS", queue: "jobs")
            bindings.d1("DB", schema: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, pinned INTEGER NOT NULL)")
        }
        let db = try client.env.d1("DB")
        try await db.prepare("INSERT INTO notes (body, pinned) VALUES (?, ?)").bind("first", true).run()
        try await db.prepare("INSERT INTO notes (body, pinned) VALUES (?, ?)").bind("second", false).run()
        let pinned = try await db.prepare("SELECT id, body, pinned FROM notes WHERE pinned = ?").bind(true).all(as: Note.self)
        #expect(pinned == [Note(id: 1, body: "first", pinned: true)])
        await client.close()
    }
}
