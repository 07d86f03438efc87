import Drover
import DroverConfig
import DroverExamples
import DroverRuntime
import DroverTestSupport
import Foundation
import Testing

/// `DevServer` on a real socket (port 0) with the playground worker and a temporary state
/// directory.
@Suite struct DevServerTests {
    struct Running {
        let project: PlaygroundProject
        let server: DevServer
        let port: Int
        let logs: MemoryLogSink
    }

    static func start(
        _ project: PlaygroundProject,
        registry: WorkerRegistry = PlaygroundProject.registry,
        gracePeriod: Duration = .seconds(30)
    ) async throws -> Running {
        let logs = MemoryLogSink()
        let logger = Logger(label: "drover", level: .info, sink: logs)
        var settings = DevServer.Settings()
        settings.port = 0
        settings.cronTriggers = false
        settings.gracePeriod = gracePeriod
        let server = DevServer(settings: settings, logger: logger, factory: project.runtimeFactory(logger: logger, registry: registry))
        let port = try await server.start()
        #expect(port > 0)
        return Running(project: project, server: server, port: port, logs: logs)
    }

    static func deliveries(port: Int) async throws -> [JSONValue] {
        let response = try await httpRequest(
            port: port,
            "POST",
            "/d1/query",
            body: #"{"sql": "SELECT queue, msg, attempts FROM deliveries ORDER BY seq", "params": []}"#
        )
        #expect(response.status == 200)
        return try response.json()["results"]?.arrayValue ?? []
    }

    /// A server on a copy of the playground whose worker (`held`) answers with `respond`, holding
    /// `GET /held` until `release` opens. The request to `/held` is sent and has reached the worker
    /// when this returns; `response` is its answer.
    struct HeldRequest {
        let project: PlaygroundProject
        let running: Running
        let release: Gate
        let response: Task<RawHTTPResponse, any Error>
    }

    static func startHoldingARequest(
        gracePeriod: Duration = .seconds(30),
        respond: @escaping @Sendable (Request, Env) async throws -> Response
    ) async throws -> HeldRequest {
        let project = try PlaygroundProject.make { $0.replacingOccurrences(of: #"main = "playground""#, with: #"main = "held""#) }
        let entered = Gate()
        let release = Gate()
        var registry = PlaygroundProject.registry
        registry.register(
            "held",
            ClosureWorker(fetch: { request, env, _ in
                if request.path == "/held" {
                    entered.open()
                    await release.wait()
                }
                return try await respond(request, env)
            })
        )
        let running = try await start(project, registry: registry, gracePeriod: gracePeriod)
        let connection = try RawHTTPConnection(port: running.port)
        try connection.write(RawHTTPConnection.requestBytes("GET", "/held", body: nil))
        let response = Task { try await connection.readResponse() }
        await entered.wait()
        return HeldRequest(project: project, running: running, release: release, response: response)
    }

    @Test func servesThePlaygroundWithItsBindings() async throws {
        let running = try await Self.start(try PlaygroundProject.make())
        let port = running.port
        let put = try await httpRequest(port: port, "PUT", "/kv/greeting%20key", body: "hi there")
        #expect(put.status == 201)
        let get = try await httpRequest(port: port, "GET", "/kv/greeting%20key")
        #expect(get.status == 200)
        #expect(get.text == "hi there")
        let env = try await httpRequest(port: port, "GET", "/env").json()
        #expect(env["greeting"]?.stringValue == "hello")
        let health = try await httpRequest(port: port, "GET", "/__drover/health").json()
        #expect(health["status"]?.stringValue == "ok")
        let metrics = try await httpRequest(port: port, "GET", "/__drover/metrics")
        #expect(metrics.text.contains("drover_requests_total{status=\"201\"} 1"))
        #expect(running.logs.lines.contains { $0.hasPrefix("PUT /kv/greeting%20key 201") })
        await running.server.shutdown()
    }

    @Test func queueConsumersDeliverInRealTime() async throws {
        let running = try await Self.start(try PlaygroundProject.make())
        let port = running.port
        for index in 1...3 {
            let sent = try await httpRequest(port: port, "POST", "/queue/send", body: #"{"body": {"n": \#(index)}}"#)
            #expect(sent.status == 202)
        }
        try await eventually("three deliveries") { try await Self.deliveries(port: port).count >= 3 }
        let rows = try await Self.deliveries(port: port)
        #expect(rows.count == 3)
        #expect(Set(rows.compactMap { $0["msg"]?.stringValue }) == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
        #expect(rows.allSatisfy { $0["queue"]?.stringValue == "jobs" && $0["attempts"] == .integer(1) })
        await running.server.shutdown()
    }

    @Test func reloadsWhenTheConfigChangesAndKeepsServingOnABrokenOne() async throws {
        let running = try await Self.start(try PlaygroundProject.make())
        let project = running.project
        let port = running.port
        #expect(try await httpRequest(port: port, "GET", "/env").json()["greeting"]?.stringValue == "hello")

        let config = try String(contentsOfFile: project.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: #"GREETING = "hello""#, with: #"GREETING = "bonjour""#)
            .write(toFile: project.configPath, atomically: true, encoding: .utf8)
        await running.server.reload()
        #expect(try await httpRequest(port: port, "GET", "/env").json()["greeting"]?.stringValue == "bonjour")

        // A broken config: the error is logged with its location, the previous version keeps serving.
        try config.replacingOccurrences(of: #"GREETING = "hello""#, with: "GREETING = \"unterminated\n")
            .write(toFile: project.configPath, atomically: true, encoding: .utf8)
        await running.server.reload()
        #expect(try await httpRequest(port: port, "GET", "/env").json()["greeting"]?.stringValue == "bonjour")
        let failure = running.logs.all.first { $0.level == .error && $0.message.contains("reload failed") }
        let message = try #require(failure?.message)
        #expect(message.contains("wrangler-like.toml:"))
        #expect(message.contains(#/wrangler-like\.toml:\d+:\d+/#))

        // State survives reloads: what was written before is still there.
        #expect(try await httpRequest(port: port, "PUT", "/kv/k", body: "v").status == 201)
        try config.write(toFile: project.configPath, atomically: true, encoding: .utf8)
        await running.server.reload()
        #expect(try await httpRequest(port: port, "GET", "/kv/k").text == "v")
        #expect(try await httpRequest(port: port, "GET", "/env").json()["greeting"]?.stringValue == "hello")
        await running.server.shutdown()
    }

    @Test func shutdownFinishesARequestInFlight() async throws {
        let held = try await Self.startHoldingARequest { request, _ in Response("finished \(request.path)") }
        let running = held.running
        async let stopped: Void = running.server.shutdown()
        // The server stops accepting: a new connection is refused or gets no answer.
        held.release.open()
        let response = try await held.response.value
        #expect(response.status == 200)
        #expect(response.text == "finished /held")
        await stopped
        #expect(running.server.runtime == nil)
        #expect((try? await httpRequest(port: running.port, "GET", "/after")) == nil)
    }

    @Test func aRequestInFlightDuringAReloadFinishesOnItsVersion() async throws {
        let held = try await Self.startHoldingARequest { request, env in
            try await env.kv("KV").put("written", value: Array("by \(request.path)".utf8), options: KVPutOptions())
            return Response("greeting \(env.vars["GREETING"] ?? "-")")
        }
        let (project, running) = (held.project, held.running)
        let config = try String(contentsOfFile: project.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: #"GREETING = "hello""#, with: #"GREETING = "bonjour""#)
            .write(toFile: project.configPath, atomically: true, encoding: .utf8)
        async let reloaded = running.server.reload()
        // The new version serves new requests while the old one is still answering.
        try await eventually("the new version to serve") {
            try await httpRequest(port: running.port, "GET", "/fast").text == "greeting bonjour"
        }
        held.release.open()
        let response = try await held.response.value
        #expect(response.status == 200)
        #expect(response.text == "greeting hello")
        #expect(await reloaded)
        await running.server.shutdown()
    }

    @Test(.timeLimit(.minutes(1))) func aReloadWaitsForTheOldVersionsRequestsOnlyWithinTheGracePeriod() async throws {
        let held = try await Self.startHoldingARequest(gracePeriod: .milliseconds(200)) { _, _ in Response("answered") }
        let running = held.running
        // The request never finishes on its own: the reload still completes after the grace period.
        await running.server.reload()
        let warning = running.logs.all.first { $0.level == .warning && $0.message.contains("still running on the previous version") }
        #expect(warning?.message.hasPrefix("1 request(s) still running") == true)
        #expect(try await httpRequest(port: running.port, "GET", "/other").text == "answered")
        held.release.open()
        _ = try await held.response.value
        await running.server.shutdown()
    }
}
