import Drover
import DroverConfig
import DroverHTTP
import DroverReplay
import DroverRuntime
import DroverTestSupport
import Foundation
import Testing

/// `drover dev --record DIR` (Docs/fixtures.md, "Recording") through a real dev server on a socket:
/// requests sent over HTTP are written as fixtures with no secret value in them, and every
/// recorded fixture replays green without edits.
@Suite("Record and replay round trip")
struct RecordReplayRoundTripTests {
    static let token = "tok_s3cr3t_V4lue"
    static let unusedSecret = "never_read_Zq9"

    /// The worker under record: reads a secret, calls an upstream, writes KV (and calls the
    /// upstream again from `waitUntil`).
    struct RecorderTestWorker: Worker {
        func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
            let upstream = env.vars["UPSTREAM"] ?? ""
            switch (request.method, request.path) {
            case ("GET", "/hello"):
                let token = try env.secret("API_TOKEN")
                return Response.json(["greeting": "hi", "token": .string(token)], headers: ["x-token-echo": "Bearer \(token)"])
            case ("POST", "/forward"):
                let token = try env.secret("API_TOKEN")
                let answer = try await env.fetch.fetch(
                    upstream + "/echo?from=worker",
                    method: "POST",
                    headers: ["authorization": "Bearer \(token)", "content-type": "application/json"],
                    body: Body(bytes: try await request.bytes())
                )
                return Response.json(["upstreamStatus": .integer(Int64(answer.status)), "upstream": try await answer.json()])
            case ("PUT", let path) where path.hasPrefix("/kv/"):
                let key = String(path.dropFirst("/kv/".count))
                let kv = try env.kv("STORE")
                try await kv.put(key, try await request.text())
                let stored = try await kv.get(key)
                let fetcher = env.fetch
                ctx.waitUntil {
                    _ = try await fetcher.fetch(upstream + "/audit?key=" + key, method: "POST", body: Body(text: "stored \(key)"))
                }
                return Response.json(["stored": .string(key), "value": stored.map(JSONValue.string) ?? .null], status: 201)
            default:
                return .error("not found", status: 404)
            }
        }
    }

    static var registry: WorkerRegistry {
        var registry = WorkerRegistry()
        registry.register("recorder-test", RecorderTestWorker())
        return registry
    }

    /// The upstream: echoes what it got as JSON, including the `authorization` header.
    static func startUpstream() throws -> (HTTPServer, Int) {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0),
            logger: Logger(label: "upstream", level: .error, sink: MemoryLogSink())
        ) {
            request in
            let body = try await request.text()
            return Response.json([
                "path": .string(request.target), "auth": .string(request.headers["authorization"] ?? ""), "body": .string(body),
            ])
        }
        return (server, try server.start())
    }

    /// A project folder: config, `.dev.vars`, and the folder fixtures are recorded into.
    static func makeProject(upstreamPort: Int) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("drover-record-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let config = """
            name = "recorder-test"
            main = "recorder-test"
            compatibility_date = "2026-01-01"

            [vars]
            UPSTREAM = "http://127.0.0.1:\(upstreamPort)"

            [[kv_namespaces]]
            binding = "STORE"
            id = "store"

            """
        try config.write(toFile: root + "/wrangler-like.toml", atomically: true, encoding: .utf8)
        try "API_TOKEN=\(token)\nUNUSED_SECRET=\(unusedSecret)\n".write(toFile: root + "/.dev.vars", atomically: true, encoding: .utf8)
        return root
    }

    /// A dev server like `drover dev --record DIR`, on port 0.
    static func startDevServer(root: String, recordInto directory: String) async throws -> (DevServer, Int) {
        let logger = Logger(label: "drover", level: .info, sink: MemoryLogSink())
        let registry = Self.registry
        let factory: DevServer.RuntimeFactory = {
            let state = root + "/.drover/state"
            let loaded = try ConfigLoader.load(configPath: root + "/wrangler-like.toml", stateDirectory: state)
            var options = RuntimeOptions(stateDirectory: state, clock: SystemWallClock(), fetcher: URLSessionFetcher(defaultTimeout: .testHangGuard), logger: logger)
            options.secrets = loaded.config.secrets.mapValues { $0.reveal() }
            return try await WorkerRuntime(config: loaded.config, registry: registry, options: options)
        }
        var settings = DevServer.Settings()
        settings.port = 0
        let writer = try RecordedRequestWriter(directory: directory, logger: logger)
        settings.recorder = RequestRecorder { recorded in writer.write(recorded) }
        let server = DevServer(settings: settings, logger: logger, factory: factory)
        do {
            return (server, try await server.start())
        } catch {
            await server.shutdown()
            throw error
        }
    }

    @Test func recordedRequestsReplayGreenAndHoldNoSecret() async throws {
        let (upstream, upstreamPort) = try Self.startUpstream()
        let root = try Self.makeProject(upstreamPort: upstreamPort)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorded = root + "/Fixtures/recorded"
        let (server, port) = try await Self.startDevServer(root: root, recordInto: recorded)

        // Real HTTP over the socket (URLSession).
        let client = URLSessionFetcher(defaultTimeout: .testHangGuard)
        let origin = "http://127.0.0.1:\(port)"
        do {
            let hello = try await client.fetch(origin + "/hello")
            #expect(hello.status == 200)
            #expect(hello.headers["x-token-echo"] == "Bearer \(Self.token)")
            #expect(try await hello.json() == ["greeting": "hi", "token": .string(Self.token)])

            let forward = try await client.fetch(
                origin + "/forward",
                method: "POST",
                headers: ["content-type": "application/json"],
                body: Body(text: #"{"order":42}"#)
            )
            #expect(forward.status == 200)
            #expect(
                try await forward.json()
                    == [
                        "upstreamStatus": 200,
                        "upstream": ["path": "/echo?from=worker", "auth": .string("Bearer \(Self.token)"), "body": #"{"order":42}"#],
                    ]
            )

            let put = try await client.fetch(origin + "/kv/greeting", method: "PUT", body: Body(text: "hello there"))
            #expect(put.status == 201)
            #expect(try await put.json() == ["stored": "greeting", "value": "hello there"])

            let missing = try await client.fetch(origin + "/nowhere")
            #expect(missing.status == 404)

            // The runtime's own routes are not the worker's: not recorded.
            let health = try await client.fetch(origin + "/__drover/health")
            #expect(health.status == 200)
        } catch {
            await server.shutdown()
            await upstream.shutdown(gracePeriod: .seconds(5))
            throw error
        }
        await server.shutdown()

        let files = try FileManager.default.contentsOfDirectory(atPath: recorded).sorted()
        #expect(files == ["0001-get-hello.json", "0002-post-forward.json", "0003-put-kv-greeting.json", "0004-get-nowhere.json"])
        for file in files {
            let text = try String(contentsOfFile: recorded + "/" + file, encoding: .utf8)
            #expect(!text.contains(Self.token), "\(file) holds the secret value")
            #expect(!text.contains(Self.unusedSecret), "\(file) holds the unused secret's value")
            let fixture = try JSONParser.parse(Array(text.utf8))
            #expect(fixture["config"] == "../../wrangler-like.toml")
        }
        let hello = try JSONParser.parse(Array(try String(contentsOfFile: recorded + "/0001-get-hello.json", encoding: .utf8).utf8))
        #expect(hello["secrets"] == ["API_TOKEN": "${API_TOKEN}"])
        #expect(hello["steps"]?[0]?["expect"]?["json"] == ["greeting": "hi", "token": "${API_TOKEN}"])
        let forward = try JSONParser.parse(Array(try String(contentsOfFile: recorded + "/0002-post-forward.json", encoding: .utf8).utf8))
        #expect(forward["upstream"]?[0]?["response"]?["json"]?["auth"] == "Bearer ${API_TOKEN}")
        // The `waitUntil` call is recorded with its request.
        let put = try JSONParser.parse(Array(try String(contentsOfFile: recorded + "/0003-put-kv-greeting.json", encoding: .utf8).utf8))
        #expect(put["upstream"]?[0]?["request"]?["url"] == .string("http://127.0.0.1:\(upstreamPort)/audit?key=greeting"))
        #expect(put["secrets"] == nil)

        // Replay without the upstream: the recorded answers stand in for it.
        await upstream.shutdown(gracePeriod: .seconds(5))
        let runner = FixtureRunner(projectRoot: root, registry: Self.registry, environment: [:])
        let results = try await ReplayRun(paths: [recorded], runner: runner).run()
        #expect(results.count == 4)
        for result in results {
            #expect(result.failures.isEmpty && result.errors.isEmpty, "\(result.file): \(result.failures) \(result.errors)")
        }
    }

    @Test func numberingContinuesAfterTheFixturesAlreadyThere() async throws {
        // /hello calls no upstream: any port will do.
        let root = try Self.makeProject(upstreamPort: 9)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let recorded = root + "/rec"
        try FileManager.default.createDirectory(atPath: recorded, withIntermediateDirectories: true)
        try "{}".write(toFile: recorded + "/0007-get-old.json", atomically: true, encoding: .utf8)
        let (server, port) = try await Self.startDevServer(root: root, recordInto: recorded)
        let status: Int
        do {
            status = try await URLSessionFetcher(defaultTimeout: .testHangGuard).fetch("http://127.0.0.1:\(port)/hello").status
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        #expect(status == 200)
        let files = try FileManager.default.contentsOfDirectory(atPath: recorded).sorted()
        #expect(files == ["0007-get-old.json", "0008-get-hello.json"])
        let fixture = try JSONParser.parse(Array(try String(contentsOfFile: recorded + "/0008-get-hello.json", encoding: .utf8).utf8))
        #expect(fixture["config"] == "../wrangler-like.toml")
    }

    @Test(arguments: [
        ("/p/Fixtures/recorded", "/p/wrangler-like.toml", "../../wrangler-like.toml"),
        ("/p", "/p/wrangler-like.toml", "wrangler-like.toml"),
        ("/p/rec", "/q/conf/w.toml", "../../q/conf/w.toml"),
        ("/p/rec/", "/p/rec/w.toml", "w.toml"),
    ])
    func configIsWrittenRelativeToTheFixtureFolder(directory: String, config: String, expected: String) {
        #expect(RecordedRequestWriter.relativePath(from: directory, to: config) == expected)
    }
}
