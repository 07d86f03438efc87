import Drover
import DroverConfig
import DroverRuntime
import Foundation
import Testing

/// `drover dev -c a.toml -c b.toml`: two workers in one session on a real socket, each with its own
/// bindings, a service binding from the served one to the other.
@Suite struct DevSessionTests {
    /// `front` (served) calls `back` through `BACK`; each answers with its own var and KV.
    static let registry: WorkerRegistry = {
        var registry = WorkerRegistry()
        registry.register("front", ClosureWorker(fetch: { request, env, _ in
            switch request.path {
            case "/call":
                var forwarded = try Request(url: "https://back.internal/who")
                forwarded.headers.set("x-from", env.vars["WHO"] ?? "")
                let answer = try await env.service("BACK").fetch(forwarded)
                return .json(["front": .string(env.vars["WHO"] ?? ""), "back": try await answer.json(), "status": .integer(Int64(answer.status))])
            case "/missing":
                return try await env.service("GHOST").fetch(try Request(url: "https://ghost.internal/"))
            case "/self":
                return try await env.service("SELF").fetch(try Request(url: "https://front.internal/self"))
            default:
                return .json(["kv": .string(try await env.kv("CACHE").get("k") ?? "none")])
            }
        }))
        registry.register("back", ClosureWorker(fetch: { request, env, ctx in
            .json([
                "who": .string(env.vars["WHO"] ?? ""), "kv": .string(try await env.kv("CACHE").get("k") ?? "none"),
                "from": .string(request.headers["x-from"] ?? ""), "trace": .string(ctx.trace.traceID),
                "secret": .string((try? env.secret("BACK_TOKEN")) ?? "none"),
            ])
        }))
        return registry
    }()

    struct Session {
        let folder: URL
        let server: DevServer
        let port: Int
    }

    static func start() async throws -> Session {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drover-session-\(UUID().uuidString)")
        for name in ["front", "back"] { try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true) }
        try """
            name = "front"
            main = "front"
            [vars]
            WHO = "the front"
            [[kv_namespaces]]
            binding = "CACHE"
            id = "front-cache"
            [[services]]
            binding = "BACK"
            service = "back"
            [[services]]
            binding = "GHOST"
            service = "ghost"
            [[services]]
            binding = "SELF"
            service = "front"
            """.write(to: folder.appendingPathComponent("front/wrangler-like.toml"), atomically: true, encoding: .utf8)
        try """
            name = "back"
            main = "back"
            [vars]
            WHO = "the back"
            [[kv_namespaces]]
            binding = "CACHE"
            id = "back-cache"
            """.write(to: folder.appendingPathComponent("back/wrangler-like.toml"), atomically: true, encoding: .utf8)
        try "BACK_TOKEN=back-only\n".write(to: folder.appendingPathComponent("back/.dev.vars"), atomically: true, encoding: .utf8)
        let paths = ["front", "back"].map { folder.appendingPathComponent("\($0)/wrangler-like.toml").path }
        let factory: DevServer.SessionFactory = {
            let peers = ServicePeers()
            var runtimes: [WorkerRuntime] = []
            for path in paths {
                let state = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".drover/state")
                let loaded = try ConfigLoader.load(configPath: path, stateDirectory: state)
                var options = RuntimeOptions(stateDirectory: state, clock: SystemWallClock(), fetcher: RefusingFetcher(), logger: .disabled)
                options.secrets = loaded.config.secrets.mapValues { $0.reveal() }
                options.devVars = loaded.config.devVars.mapValues { $0.reveal() }
                options.servicePeers = peers
                let runtime = try await WorkerRuntime(config: loaded.config, registry: registry, options: options)
                try peers.add(runtime)
                runtimes.append(runtime)
            }
            return runtimes
        }
        var settings = DevServer.Settings()
        settings.port = 0
        settings.cronTriggers = false
        let server = DevServer(settings: settings, logger: .disabled, sessionFactory: factory)
        let port = try await server.start()
        return Session(folder: folder, server: server, port: port)
    }

    @Test("a service binding reaches the other worker of the session with that worker's own vars, KV, secrets and trace")
    func ownBindings() async throws {
        let session = try await Self.start()
        defer { try? FileManager.default.removeItem(at: session.folder) }
        let runtimes = session.server.runtimes
        #expect(runtimes.map(\.host.workerName) == ["front", "back"])
        try await runtimes[1].kvNamespaces["CACHE"]?.put("k", "kept by the back")
        let response = try await httpRequest(
            port: session.port, "GET", "/call", headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
        #expect(response.status == 200)
        let json = try response.json()
        #expect(json["front"] == "the front")
        #expect(json["status"] == 200)
        #expect(json["back"]?["who"] == "the back")
        #expect(json["back"]?["kv"] == "kept by the back")
        #expect(json["back"]?["from"] == "the front")
        #expect(json["back"]?["secret"] == "back-only")
        #expect(json["back"]?["trace"] == "4bf92f3577b34da6a3ce929d0e0e4736")
        // The front's own namespace of the same binding name is another store.
        #expect(try await httpRequest(port: session.port, "GET", "/kv").json()["kv"] == "none")
        await session.server.shutdown()
    }

    @Test("a binding to a worker outside the session answers 503 saying how to start it; a worker bound to itself stops at 32 calls")
    func missingAndSelf() async throws {
        let session = try await Self.start()
        defer { try? FileManager.default.removeItem(at: session.folder) }
        let missing = try await httpRequest(port: session.port, "GET", "/missing")
        #expect(missing.status == 503)
        #expect(missing.text.contains(#"service \"ghost\" is not running in this dev session"#))
        #expect(missing.text.contains("drover dev -c"))
        let looping = try await httpRequest(port: session.port, "GET", "/self")
        #expect(looping.status == 508)
        #expect(looping.text.contains("more than 32 service binding calls deep"))
        await session.server.shutdown()
    }

    @Test("a reload rebuilds every worker of the session, and the binding reaches the new version")
    func reload() async throws {
        let session = try await Self.start()
        defer { try? FileManager.default.removeItem(at: session.folder) }
        let backConfig = session.folder.appendingPathComponent("back/wrangler-like.toml")
        try String(contentsOf: backConfig, encoding: .utf8).replacingOccurrences(of: "the back", with: "the new back")
            .write(to: backConfig, atomically: true, encoding: .utf8)
        let before = session.server.runtimes.map(ObjectIdentifier.init)
        await session.server.reload()
        let after = session.server.runtimes.map(ObjectIdentifier.init)
        #expect(after.count == 2)
        #expect(Set(before).isDisjoint(with: after))
        let json = try await httpRequest(port: session.port, "GET", "/call").json()
        #expect(json["back"]?["who"] == "the new back")
        await session.server.shutdown()
        #expect(session.server.runtimes.isEmpty)
    }

    @Test("two workers of one name cannot share a session")
    func duplicateNames() async throws {
        let peers = ServicePeers()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drover-session-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var runtimes: [WorkerRuntime] = []
        for copy in ["one", "two"] {
            let directory = folder.appendingPathComponent(copy)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("wrangler-like.toml").path
            try "name = \"back\"\nmain = \"back\"\n".write(toFile: path, atomically: true, encoding: .utf8)
            let loaded = try ConfigLoader.load(configPath: path, stateDirectory: directory.appendingPathComponent("state").path)
            let options = RuntimeOptions(stateDirectory: directory.appendingPathComponent("state").path, clock: SystemWallClock(), fetcher: RefusingFetcher(), logger: .disabled)
            runtimes.append(try await WorkerRuntime(config: loaded.config, registry: Self.registry, options: options))
        }
        try peers.add(runtimes[0])
        #expect(throws: DevSessionError.self) { try peers.add(runtimes[1]) }
        for runtime in runtimes { await runtime.shutdown() }
    }
}
