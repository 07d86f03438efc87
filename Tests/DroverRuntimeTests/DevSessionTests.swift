import Drover
import DroverConfig
import DroverExamples
import DroverIntegrationKit
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

    /// A session of the configs at `paths` (the first served), each with its state in `.drover/state`
    /// beside it, `.dev.vars` read, and `network` for outbound calls not routed to the session.
    static func sessionFactory(_ paths: [String], registry: WorkerRegistry, network: any Fetcher = RefusingFetcher()) -> DevServer.SessionFactory {
        {
            let members = try paths.map { path -> (config: DroverConfig, options: RuntimeOptions) in
                let state = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".drover/state")
                let loaded = try ConfigLoader.load(configPath: path, stateDirectory: state)
                var options = RuntimeOptions(stateDirectory: state, clock: SystemWallClock(), fetcher: network, logger: .disabled)
                options.secrets = loaded.config.secrets.mapValues { $0.reveal() }
                options.devVars = loaded.config.devVars.mapValues { $0.reveal() }
                return (loaded.config, options)
            }
            return try await WorkerRuntime.openSession(members, registry: registry)
        }
    }

    /// A dev server on port 0 for `factory`, without cron triggers.
    static func serve(_ factory: @escaping DevServer.SessionFactory) async throws -> (DevServer, Int) {
        var settings = DevServer.Settings()
        settings.port = 0
        settings.cronTriggers = false
        let server = DevServer(settings: settings, logger: .disabled, sessionFactory: factory)
        return (server, try await server.start())
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
        let (server, port) = try await serve(sessionFactory(paths, registry: registry))
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

/// `[[dev.outbound]]`: a worker's outbound fetch to a routed host is answered by the session's
/// worker, unchanged; other hosts go to the network.
@Suite struct OutboundRoutingTests {
    struct Recorded: Sendable {
        let url: String
    }

    @Test("a routed host is answered by the session's worker with the request unchanged; an unrouted one goes to the network")
    func routing() async throws {
        var registry = WorkerRegistry()
        registry.register("app", ClosureWorker(fetch: { request, env, _ in
            let target = request.query["url"] ?? ""
            do {
                let answer = try await env.fetch.fetch(target, method: "PUT", headers: ["x-app": "1"], body: Body(text: "payload"))
                return .json(["status": .integer(Int64(answer.status)), "answer": try await answer.json()])
            } catch let error as FetchError {
                return .json(["error": .string(error.description)], status: 502)
            }
        }))
        registry.register("fakes", ClosureWorker(fetch: { request, env, _ in
            .json([
                "who": .string(env.vars["WHO"] ?? ""), "url": .string(request.url), "method": .string(request.method),
                "field": .string(request.headers["x-app"] ?? ""), "body": .string(try await request.text()),
            ])
        }))
        let workers = registry
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drover-outbound-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["app", "fakes"] { try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true) }
        try """
            name = "app"
            main = "app"
            [[dev.outbound]]
            host = "API.Shop.example"
            service = "fakes"
            [[dev.outbound]]
            host = "*.clerk.example"
            service = "fakes"
            [[dev.outbound]]
            host = "ghost.example"
            service = "nobody"
            """.write(to: folder.appendingPathComponent("app/wrangler-like.toml"), atomically: true, encoding: .utf8)
        try "name = \"fakes\"\nmain = \"fakes\"\n[vars]\nWHO = \"the fakes\"\n"
            .write(to: folder.appendingPathComponent("fakes/wrangler-like.toml"), atomically: true, encoding: .utf8)
        let paths = ["app", "fakes"].map { folder.appendingPathComponent("\($0)/wrangler-like.toml").path }
        let (server, port) = try await DevSessionTests.serve(DevSessionTests.sessionFactory(paths, registry: workers))
        func call(_ url: String) async throws -> JSONValue {
            try await httpRequest(port: port, "GET", "/?url=" + (url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")).json()
        }
        let routed = try await call("https://api.shop.example:443/admin/api/products/1.json?x=1")
        #expect(routed["status"] == 200)
        #expect(routed["answer"]?["who"] == "the fakes")
        #expect(routed["answer"]?["url"] == "https://api.shop.example:443/admin/api/products/1.json?x=1")
        #expect(routed["answer"]?["method"] == "PUT")
        #expect(routed["answer"]?["field"] == "1")
        #expect(routed["answer"]?["body"] == "payload")
        #expect(try await call("https://tenant.clerk.example/.well-known/jwks.json")["answer"]?["who"] == "the fakes")
        // The apex of a wildcard is not under it; an unlisted host goes to the network (refused here).
        #expect(try await call("https://clerk.example/")["error"]?.stringValue?.contains("no outbound fetch in this test") == true)
        #expect(try await call("https://elsewhere.example/")["error"]?.stringValue?.contains("no outbound fetch in this test") == true)
        let ghost = try await call("https://ghost.example/")
        #expect(ghost["error"]?.stringValue?.contains(#"routed by [[dev.outbound]] to worker "nobody", which is not running in this dev session"#) == true)
        await server.shutdown()
    }

    @Test("host patterns: exact or *. and a domain, any case, a port or trailing dot ignored; the config refuses a scheme, port or path")
    func patterns() throws {
        let exact = OutboundRouteConfig(host: "api.example.com", service: "f")
        let wildcard = OutboundRouteConfig(host: "*.myshopify.com", service: "f")
        #expect(exact.matches("API.example.com"))
        #expect(exact.matches("api.example.com:8443"))
        #expect(exact.matches("api.example.com."))
        #expect(!exact.matches("xapi.example.com"))
        #expect(!exact.matches("api.example.com.evil"))
        #expect(wildcard.matches("drover-demo.myshopify.com"))
        #expect(wildcard.matches("a.b.myshopify.com:443"))
        #expect(!wildcard.matches("myshopify.com"))
        #expect(!wildcard.matches("evilmyshopify.com"))
        for valid in ["api.example.com", "*.example.com", "localhost", "127.0.0.1", "a-b.example."] {
            #expect(OutboundRouteConfig.isValidHost(valid), "\(valid)")
        }
        for invalid in ["", "https://api.example.com", "api.example.com:443", "api.example.com/path", "*", "*.", "**.example.com", "a..b", "-a.example", "exa mple.com"] {
            #expect(!OutboundRouteConfig.isValidHost(invalid), "\(invalid)")
        }
    }
}

/// The path a user takes with `scripts/dev`: mint a session token from the Clerk fake, call the app
/// with it; the app fetches the JWKS from its production URL, which the session routes to the fake.
@Suite struct SignInThroughTheFakesTests {
    @Test("a token minted by the fake passes the app's JWT check, the JWKS fetched through [[dev.outbound]]")
    func signIn() async throws {
        var registry = WorkerRegistry()
        registry.register("upstream-fakes", UpstreamFakesWorker())
        registry.register("app", ClosureWorker(fetch: { request, env, ctx in
            guard let token = request.bearerToken ?? request.cookie("__session") else { throw HTTPError(401) }
            let keys = JWKSCache(url: env.vars["CLERK_JWKS_URL"] ?? "", kv: try env.kv("CACHE"), env: env, logger: ctx.logger)
            let verifier = JWTVerifier(
                configuration: .init(issuer: env.vars["CLERK_ISSUER"] ?? "", authorizedParties: ["http://localhost:8787"]), keys: keys, clock: env.clock)
            let jwt = try await verifier.verify(token)
            return .json(["userId": .string(jwt.claims.subject ?? ""), "sessionId": jwt.claims["sid"] ?? .null])
        }))
        let workers = registry
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drover-signin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("fakes"), withIntermediateDirectories: true)
        try """
            name = "app"
            main = "app"
            [vars]
            CLERK_ISSUER = "https://clerk.example.test"
            CLERK_JWKS_URL = "https://clerk.example.test/.well-known/jwks.json"
            [[kv_namespaces]]
            binding = "CACHE"
            id = "cache"
            [[dev.outbound]]
            host = "clerk.example.test"
            service = "upstream-fakes"
            """.write(to: folder.appendingPathComponent("wrangler-like.toml"), atomically: true, encoding: .utf8)
        let fakesSource = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples/upstream-fakes/wrangler-like.toml")
        try FileManager.default.copyItem(at: fakesSource, to: folder.appendingPathComponent("fakes/wrangler-like.toml"))
        let paths = ["wrangler-like.toml", "fakes/wrangler-like.toml"].map { folder.appendingPathComponent($0).path }
        let (server, port) = try await DevSessionTests.serve(DevSessionTests.sessionFactory(paths, registry: workers))
        let fakes = ["Host": "upstream-fakes.localhost:\(port)"]
        let minted = try await httpRequest(port: port, "POST", "/__fakes/clerk/token", body: #"{"sub": "user_7", "sid": "sess_7"}"#, headers: fakes).json()
        let token = try #require(minted["token"]?.stringValue)
        let me = try await httpRequest(port: port, "GET", "/me", headers: ["Authorization": "Bearer \(token)"])
        #expect(me.status == 200)
        #expect(try me.json() == ["userId": "user_7", "sessionId": "sess_7"])
        #expect(try await httpRequest(port: port, "GET", "/me", headers: ["Cookie": "__session=\(token)"]).status == 200)
        #expect(try await httpRequest(port: port, "GET", "/me", headers: ["Authorization": "Bearer \(token.dropLast(2))xx"]).status == 401)
        let calls = try await httpRequest(port: port, "GET", "/__fakes/calls", headers: fakes).json()["calls"]?.arrayValue ?? []
        // The JWKS was fetched once, at its production URL, then served from the app's KV cache.
        #expect(calls.compactMap { $0["url"]?.stringValue } == ["https://clerk.example.test/.well-known/jwks.json"])
        await server.shutdown()
    }
}
