import Drover
import DroverExamples
import DroverTesting
import Foundation
import Testing

/// DroverTesting's in-process client against the playground worker and its real bindings.
@Suite struct TestClientTests {
    static let config = RepositoryFixturesTests.projectRoot + "/Examples/playground/wrangler-like.toml"
    static let classes: [String: any DurableObject.Type] = ["Counter": PlaygroundCounter.self]

    @Test func requestsReachTheWorkerWithItsBindingsAndAFrozenClock() async throws {
        let client = try await TestClient(worker: PlaygroundWorker(), config: Self.config, durableObjects: Self.classes, secrets: ["API_TOKEN": "t"])
        let put = await client.request("PUT", "/kv/greeting?ttl=60", body: Body(text: "hello"))
        #expect(put.status == 201)
        #expect(try await client.request("GET", "/kv/greeting").text() == "hello")
        #expect(try await client.request("GET", "/env").json() == ["greeting": "hello", "hasToken": true])
        #expect(try await client.request("GET", "/time").json() == ["now": 1_767_225_600_000])

        client.clock.advance(by: 60)
        #expect(await client.request("GET", "/kv/greeting").status == 404, "expired at now == expiration")
        await client.close()
    }

    @Test func queuesAreDeliveredOnlyWhenDrained() async throws {
        let client = try await TestClient(worker: PlaygroundWorker(), config: Self.config, durableObjects: Self.classes)
        let sent = await client.request("POST", "/queue/send", json: ["body": ["action": "ack", "n": 1]])
        #expect(sent.status == 202)
        let count: JSONValue = ["sql": "SELECT count(*) AS n FROM deliveries"]
        #expect(try await client.request("POST", "/d1/first", json: count).json() == ["value": ["n": 0]])
        try await client.drainQueues()
        #expect(try await client.request("POST", "/d1/first", json: count).json() == ["value": ["n": 1]])

        await client.scheduled("*/5 * * * *")
        let runs = try await client.env.d1("DB").prepare("SELECT scheduled_ms FROM cron_runs").first("scheduled_ms")
        #expect(runs == .integer(1_767_225_600_000))
        await client.close()
    }

    @Test func outboundFetchIsRefusedByDefault() async throws {
        let client = try await TestClient(
            worker: ClosureWorker(fetch: { _, env, _ in
                do {
                    _ = try await env.fetch.fetch("https://api.example.test/")
                    return Response("reached the network")
                } catch let error as FetchError {
                    return Response(error.kind.rawValue, status: 502)
                }
            }),
            config: Self.config,
            durableObjects: Self.classes
        )
        let response = await client.request("GET", "/")
        #expect(response.status == 502)
        #expect(try await response.text() == "connection")
        await client.close()
    }

    @Test func durableObjectsAndTheirAlarmsRunOnTheFrozenClock() async throws {
        let client = try await TestClient(worker: PlaygroundWorker(), config: Self.config, durableObjects: Self.classes)
        #expect(try await client.request("POST", "/do/counter/ann/incr").json()["count"] == 1)
        #expect(try await client.request("POST", "/do/counter/ann/incr").json()["count"] == 2)
        #expect(try await client.request("POST", "/do/counter/ann/alarm", json: ["inMs": 1_000]).json() == ["alarm": 1_767_225_601_000])
        client.clock.advance(by: 5)
        #expect(try await client.request("GET", "/do/counter/ann").json()["alarms"] == 0, "clock.advance alone runs no alarm")
        await client.advance(by: 0)
        let state = try await client.request("GET", "/do/counter/ann").json()
        #expect(state["alarms"] == 1)
        #expect(state["alarm"] == .null)
        #expect(state["count"] == 2)
        await client.close()
    }
}
