import Drover
import DroverConfig
import DroverHTTP
import DroverReplay
import DroverRuntime
import DroverTestSupport
import Foundation
import Testing

/// `drover dev --record` with `[[dev.outbound]]`: a routed exchange is recorded as an upstream
/// entry like any other, and its fixture replays green with the routed worker gone.
@Suite struct OutboundRoutingRecordTests {
    /// `shop` sends an order to `https://fake-shop.example`; `fake` answers it.
    static var registry: WorkerRegistry {
        var registry = WorkerRegistry()
        registry.register("shop", ClosureWorker(fetch: { request, env, _ in
            let upstream = try await env.fetch.fetch(
                "https://fake-shop.example/admin/api/orders.json?status=open", method: "POST",
                headers: ["content-type": "application/json"], body: Body(text: #"{"order":7}"#))
            return .json(["upstream": try await upstream.json(), "status": .integer(Int64(upstream.status))])
        }))
        registry.register("fake", ClosureWorker(fetch: { request, _, _ in
            .json(["host": .string(request.authority), "path": .string(request.target), "body": .string(try await request.text())], status: 201)
        }))
        return registry
    }

    @Test func aRoutedExchangeIsRecordedAsAnUpstreamAndReplaysWithoutTheRoutedWorker() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("drover-routed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/fake", withIntermediateDirectories: true)
        try """
            name = "shop"
            main = "shop"

            [[dev.outbound]]
            host = "*.example"
            service = "fake"
            """.write(toFile: root + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        try "name = \"fake\"\nmain = \"fake\"\n".write(toFile: root + "/fake/wrangler-like.toml", atomically: true, encoding: .utf8)
        let registry = Self.registry
        let logger = Logger(label: "drover", level: .info, sink: MemoryLogSink())
        let factory: DevServer.SessionFactory = {
            let members = try [root + "/wrangler-like.toml", root + "/fake/wrangler-like.toml"].map { path -> (config: DroverConfig, options: RuntimeOptions) in
                let state = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".drover/state")
                let loaded = try ConfigLoader.load(configPath: path, stateDirectory: state)
                let network = URLSessionFetcher(defaultTimeout: .testHangGuard)
                return (loaded.config, RuntimeOptions(stateDirectory: state, clock: SystemWallClock(), fetcher: network, logger: logger))
            }
            return try await WorkerRuntime.openSession(members, registry: registry)
        }
        var settings = DevServer.Settings()
        settings.port = 0
        settings.cronTriggers = false
        let writer = try RecordedRequestWriter(directory: root + "/recorded", logger: logger)
        settings.recorder = RequestRecorder { recorded in writer.write(recorded) }
        let server = DevServer(settings: settings, logger: logger, sessionFactory: factory)
        let port = try await server.start()
        let answer: Response
        do {
            answer = try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("http://127.0.0.1:\(port)/checkout")
        } catch {
            await server.shutdown()
            throw error
        }
        let json = try await answer.json()
        await server.shutdown()
        #expect(json["status"] == 201)
        #expect(json["upstream"] == ["host": "fake-shop.example", "path": "/admin/api/orders.json?status=open", "body": #"{"order":7}"#])

        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/recorded")
        #expect(files == ["0001-get-checkout.json"])
        let fixture = try JSONParser.parse(Array(try String(contentsOfFile: root + "/recorded/0001-get-checkout.json", encoding: .utf8).utf8))
        #expect(fixture["upstream"]?[0]?["request"]?["url"] == "https://fake-shop.example/admin/api/orders.json?status=open")
        #expect(fixture["upstream"]?[0]?["response"]?["status"] == 201)

        // Replay: one config, no session, no fake — the recorded upstream answers.
        let runner = FixtureRunner(projectRoot: root, registry: registry, environment: [:])
        let results = try await ReplayRun(paths: [root + "/recorded"], runner: runner).run()
        #expect(results.count == 1)
        for result in results {
            #expect(result.failures.isEmpty && result.errors.isEmpty, "\(result.file): \(result.failures) \(result.errors)")
        }
    }
}
