import Synchronization
import Testing

@testable import Drover

@Suite("Router")
struct RouterTests {
    /// Answers `label` and the params as JSON, so a test can see which route matched with what.
    static func echo(_ label: String) -> Router.Handler {
        { request, _, _ in
            var params = JSONObject()
            for name in request.params.keys.sorted() { params[name] = .string(request.params[name]!) }
            return .json(["route": .string(label), "params": .object(params), "method": .string(request.method)])
        }
    }

    static func send(_ router: Router, _ method: String, _ target: String) async throws -> Response {
        try await router.fetch(TestSupport.makeRequest(method, target), env: TestSupport.makeEnv(), ctx: TestSupport.makeContext())
    }

    /// The route label that answered, or the status when none did.
    static func label(_ router: Router, _ method: String = "GET", _ target: String) async throws -> String {
        let response = try await send(router, method, target)
        guard response.status == 200 else { return String(response.status) }
        return try await response.json()["route"]?.stringValue ?? "?"
    }

    static func params(_ router: Router, _ target: String) async throws -> JSONValue? {
        try await send(router, "GET", target).json()["params"]
    }

    // MARK: - Patterns

    static let table: Router = {
        var router = Router()
        router.get("/", echo("root"))
        router.get("/users", echo("users"))
        router.get("/users/", echo("users-slash"))
        router.get("/users/me", echo("me"))
        router.get("/users/:id", echo("user"))
        router.get("/users/:id/posts/:post", echo("post"))
        router.get("/users/:userId/settings", echo("settings"))
        router.get("/files/*", echo("files"))
        router.get("/files/readme", echo("readme"))
        router.get("/mixed/:name/*", echo("mixed"))
        router.get("/a/:x/c", echo("a-x-c"))
        router.get("/a/b/d", echo("a-b-d"))
        router.get("/café", echo("cafe"))
        router.get("/a b", echo("space"))
        router.get("/double//slash", echo("double"))
        return router
    }()

    /// (path, the route expected to answer or the status).
    static let cases: [(String, String)] = [
        ("/", "root"),
        ("", "root"),
        ("/?q=1", "root"),
        ("/users", "users"),
        ("/users/", "users-slash"),
        ("/users?x=/users/me", "users"),
        ("/users/me", "me"),
        ("/users/you", "user"),
        ("/users/me/posts/1", "post"),
        ("/users/7/posts/9", "post"),
        ("/users/7/posts/9/", "404"),
        ("/users/7/posts", "404"),
        ("/users/7/settings", "settings"),
        ("/users/me/", "404"),
        ("/users//", "404"),
        ("/files", "files"),
        ("/files/", "files"),
        ("/files/readme", "readme"),
        ("/files/readme/more", "files"),
        ("/files/a/b/c.txt", "files"),
        ("/mixed/x", "mixed"),
        ("/mixed/x/y/z", "mixed"),
        ("/mixed", "404"),
        // Backtracking: the literal `b` leads nowhere for `/a/b/c`, so `:x` is tried.
        ("/a/b/c", "a-x-c"),
        ("/a/b/d", "a-b-d"),
        ("/a/z/c", "a-x-c"),
        ("/a/b", "404"),
        ("/caf%C3%A9", "cafe"),
        ("/café", "cafe"),
        ("/a%20b", "space"),
        ("/double//slash", "double"),
        ("/double/slash", "404"),
        ("/nothing", "404"),
        ("/USERS", "404"),
        ("/users#frag", "users"),
    ]

    @Test("pattern table", arguments: cases)
    func patterns(path: String, expected: String) async throws {
        #expect(try await Self.label(Self.table, "GET", path) == expected)
    }

    @Test("params are percent-decoded; * takes the rest, decoded, possibly empty")
    func paramDecoding() async throws {
        let router = Self.table
        #expect(try await Self.params(router, "/users/a%20b") == ["id": "a b"])
        #expect(try await Self.params(router, "/users/caf%C3%A9/posts/%2F") == ["id": "café", "post": "/"])
        #expect(try await Self.params(router, "/users/a+b") == ["id": "a+b"])
        #expect(try await Self.params(router, "/users/100%25") == ["id": "100%"])
        #expect(try await Self.params(router, "/users/%zz") == ["id": "%zz"])
        #expect(try await Self.params(router, "/users/7?id=8") == ["id": "7"])
        #expect(try await Self.params(router, "/files/a/b%2Fc%20d.txt") == ["*": "a/b/c d.txt"])
        #expect(try await Self.params(router, "/files") == ["*": ""])
        #expect(try await Self.params(router, "/files/") == ["*": ""])
        #expect(try await Self.params(router, "/files/x/") == ["*": "x/"])
        #expect(try await Self.params(router, "/mixed/n/r/s") == ["name": "n", "*": "r/s"])
        #expect(try await Self.params(router, "/users/me") == [:])
    }

    @Test("different routes may name the same position differently")
    func paramNamesPerRoute() async throws {
        #expect(try await Self.params(Self.table, "/users/4/settings") == ["userId": "4"])
        #expect(try await Self.params(Self.table, "/users/4/posts/5") == ["id": "4", "post": "5"])
    }

    @Test("a pattern without a leading slash gets one")
    func leadingSlash() async throws {
        var router = Router()
        router.get("health", Self.echo("health"))
        #expect(try await Self.label(router, "GET", "/health") == "health")
    }

    // MARK: - Methods

    static let methods: Router = {
        var router = Router()
        router.get("/item", echo("get"))
        router.post("/item", echo("post"))
        router.put("/item", echo("put"))
        router.delete("/item", echo("delete"))
        router.patch("/item", echo("patch"))
        router.options("/item", echo("options"))
        router.get("/page", echo("page-get"))
        router.head("/page", echo("page-head"))
        router.on("PURGE", "/cache/:key", echo("purge"))
        router.all("/any", echo("any"))
        router.all("/mixed", echo("mixed-any"))
        router.post("/mixed", echo("mixed-post"))
        router.get("/thing/me", echo("me-get"))
        router.post("/thing/:id", echo("thing-post"))
        return router
    }()

    @Test(
        "each method reaches its own route",
        arguments: [
            ("GET", "get"), ("POST", "post"), ("PUT", "put"), ("DELETE", "delete"), ("PATCH", "patch"), ("OPTIONS", "options"),
            ("HEAD", "get"),
        ]
    )
    func methodRouting(method: String, expected: String) async throws {
        #expect(try await Self.label(Self.methods, method, "/item") == expected)
    }

    @Test("HEAD uses the GET route (the handler sees HEAD) unless a HEAD route exists")
    func head() async throws {
        let response = try await Self.send(Self.methods, "HEAD", "/item")
        #expect(try await response.json()["method"] == "HEAD")
        #expect(try await Self.label(Self.methods, "HEAD", "/page") == "page-head")
        #expect(try await Self.label(Self.methods, "GET", "/page") == "page-get")
    }

    @Test("all() answers every method; a route for the method wins over it")
    func allMethods() async throws {
        for method in ["GET", "POST", "DELETE", "BREW", "HEAD"] {
            #expect(try await Self.label(Self.methods, method, "/any") == "any")
        }
        #expect(try await Self.label(Self.methods, "POST", "/mixed") == "mixed-post")
        #expect(try await Self.label(Self.methods, "GET", "/mixed") == "mixed-any")
    }

    @Test("extension methods, case-sensitively")
    func extensionMethod() async throws {
        #expect(try await Self.label(Self.methods, "PURGE", "/cache/k") == "purge")
        #expect(try await Self.label(Self.methods, "purge", "/cache/k") == "405")
    }

    @Test("a literal route without the method falls back to a param route with it")
    func methodBacktracking() async throws {
        #expect(try await Self.label(Self.methods, "POST", "/thing/me") == "thing-post")
        #expect(try await Self.label(Self.methods, "GET", "/thing/me") == "me-get")
        #expect(try await Self.label(Self.methods, "GET", "/thing/7") == "405")
    }

    @Test("no route for the path: 404 {\"error\": \"not found\"}")
    func notFound() async throws {
        let response = try await Self.send(Self.methods, "GET", "/missing")
        #expect(response.status == 404)
        #expect(response.headers["content-type"] == "application/json")
        #expect(try await response.json() == ["error": "not found"])
        #expect(try await Self.send(Router(), "GET", "/").status == 404)
    }

    @Test("the path matches but not the method: 405 with Allow (RFC 9110 §15.5.6)")
    func methodNotAllowed() async throws {
        let response = try await Self.send(Self.methods, "TRACE", "/item")
        #expect(response.status == 405)
        #expect(try await response.json() == ["error": "method not allowed"])
        #expect(response.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
        let page = try await Self.send(Self.methods, "POST", "/page")
        #expect(page.headers["allow"] == "GET, HEAD")
        // Allow gathers every route matching the path: here the literal and the param one.
        let thing = try await Self.send(Self.methods, "PUT", "/thing/me")
        #expect(thing.headers["allow"] == "GET, HEAD, POST")
        let cache = try await Self.send(Self.methods, "GET", "/cache/x")
        #expect(cache.headers["allow"] == "PURGE")
    }

    @Test("405 collects methods from wildcard routes too")
    func methodNotAllowedWildcard() async throws {
        var router = Router()
        router.put("/kv/*", Self.echo("put"))
        router.get("/kv/special", Self.echo("special"))
        let response = try await Self.send(router, "POST", "/kv/special")
        #expect(response.status == 405)
        #expect(response.headers["allow"] == "GET, HEAD, PUT")
        #expect(try await Self.label(router, "PUT", "/kv/special") == "put")
    }

    @Test("the first registration of a method and pattern wins")
    func firstWins() async throws {
        var router = Router()
        router.get("/x", Self.echo("first"))
        router.get("/x", Self.echo("second"))
        router.get("/y/:a", Self.echo("first-param"))
        router.get("/y/:b", Self.echo("second-param"))
        #expect(try await Self.label(router, "GET", "/x") == "first")
        #expect(try await Self.label(router, "GET", "/y/1") == "first-param")
        #expect(try await Self.params(router, "/y/1") == ["a": "1"])
    }

    // MARK: - Errors

    @Test("an HTTPError from a handler is answered; other errors propagate")
    func handlerErrors() async throws {
        struct Unexpected: Error {}
        var router = Router()
        router.get("/teapot") { _, _, _ in throw HTTPError(418, "short and stout", headers: ["X-Tea": "earl grey"]) }
        router.get("/boom") { _, _, _ in throw Unexpected() }
        let teapot = try await Self.send(router, "GET", "/teapot")
        #expect(teapot.status == 418)
        #expect(teapot.headers["x-tea"] == "earl grey")
        #expect(try await teapot.json() == ["error": "short and stout"])
        await #expect(throws: Unexpected.self) { try await Self.send(router, "GET", "/boom") }
    }

    // MARK: - Middleware

    @Test("middleware run in registration order around routing, outermost first")
    func middlewareOrder() async throws {
        let trace = Mutex<[String]>([])
        var router = Router()
        router.get("/x") { _, _, _ in
            trace.withLock { $0.append("handler") }
            return Response("ok")
        }
        for name in ["a", "b", "c"] {
            router.use { request, _, _, next in
                trace.withLock { $0.append("\(name) in") }
                var response = try await next(request)
                trace.withLock { $0.append("\(name) out") }
                response.headers.append("x-trace", name)
                return response
            }
        }
        let response = try await Self.send(router, "GET", "/x")
        #expect(trace.withLock { $0 } == ["a in", "b in", "c in", "handler", "c out", "b out", "a out"])
        #expect(response.headers.values(for: "x-trace") == ["c", "b", "a"])
    }

    @Test("middleware may short-circuit, change the request, and see 404s")
    func middlewareShortCircuit() async throws {
        let reached = Atomic<Int>(0)
        var router = Router()
        router.use { request, _, _, next in
            guard request.headers["authorization"] == "Bearer ok" else { return .error("unauthorized", status: 401) }
            return try await next(request)
        }
        router.use { request, _, _, next in
            var request = request
            request.headers.set("x-user", "alice")
            return try await next(request)
        }
        router.get("/me") { request, _, _ in
            reached.add(1, ordering: .relaxed)
            return Response(request.headers["x-user"] ?? "")
        }
        let env = TestSupport.makeEnv()
        let denied = try await router.fetch(Request(target: "/me"), env: env, ctx: TestSupport.makeContext())
        #expect(denied.status == 401)
        #expect(reached.load(ordering: .relaxed) == 0)
        let allowed = try await router.fetch(
            Request(target: "/me", headers: ["Authorization": "Bearer ok"]),
            env: env,
            ctx: TestSupport.makeContext()
        )
        #expect(try await allowed.text() == "alice")
        let missing = try await router.fetch(
            Request(target: "/nope", headers: ["Authorization": "Bearer ok"]),
            env: env,
            ctx: TestSupport.makeContext()
        )
        #expect(missing.status == 404)
        let unauthorizedMissing = try await Self.send(router, "GET", "/nope")
        #expect(unauthorizedMissing.status == 401)
    }

    @Test("middleware see HTTPError answers as responses; an HTTPError thrown by middleware is answered")
    func middlewareErrors() async throws {
        let seen = Mutex<[Int]>([])
        var router = Router()
        router.use { request, _, _, next in
            let response = try await next(request)
            seen.withLock { $0.append(response.status) }
            return response
        }
        router.use { request, _, _, next in
            if request.path == "/guarded" { throw HTTPError(403) }
            return try await next(request)
        }
        router.get("/conflict") { _, _, _ in throw HTTPError(409, "taken") }
        #expect(try await Self.send(router, "GET", "/conflict").status == 409)
        let guarded = try await Self.send(router, "GET", "/guarded")
        #expect(guarded.status == 403)
        #expect(try await guarded.json() == ["error": "forbidden"])
        #expect(seen.withLock { $0 } == [409, 403])
    }

    @Test("middleware registered after the routes still wraps them")
    func middlewareAfterRoutes() async throws {
        var router = Router()
        router.get("/x") { _, _, _ in Response("x") }
        router.use { request, _, _, next in
            var response = try await next(request)
            response.headers.set("x-late", "1")
            return response
        }
        #expect(try await Self.send(router, "GET", "/x").headers["x-late"] == "1")
    }

    // MARK: - Mount

    @Test("mount serves a sub-router's routes under a prefix, with its middleware around its routes only")
    func mount() async throws {
        var users = Router()
        users.use { request, _, _, next in
            var response = try await next(request)
            response.headers.set("x-users", "1")
            return response
        }
        users.get("/", Self.echo("users-index"))
        users.get("/:id", Self.echo("users-show"))
        users.delete("/:id", Self.echo("users-delete"))
        users.get("/:id/files/*", Self.echo("users-files"))

        var app = Router()
        app.use { request, _, _, next in
            var response = try await next(request)
            response.headers.append("x-app", "1")
            return response
        }
        app.get("/", Self.echo("home"))
        app.get("/api/users/me", Self.echo("app-me"))
        app.mount("/api/users/", users)
        app.mount(
            "/",
            {
                var r = Router()
                r.get("/about", Self.echo("about"))
                return r
            }()
        )

        #expect(try await Self.label(app, "GET", "/") == "home")
        #expect(try await Self.label(app, "GET", "/api/users") == "users-index")
        #expect(try await Self.label(app, "GET", "/api/users/") == "404")
        #expect(try await Self.label(app, "GET", "/api/users/7") == "users-show")
        #expect(try await Self.label(app, "GET", "/api/users/me") == "app-me")
        #expect(try await Self.label(app, "DELETE", "/api/users/7") == "users-delete")
        #expect(try await Self.label(app, "GET", "/about") == "about")
        #expect(try await Self.params(app, "/api/users/7/files/a/b") == ["id": "7", "*": "a/b"])

        let shown = try await Self.send(app, "GET", "/api/users/7")
        #expect(shown.headers["x-users"] == "1")
        #expect(shown.headers["x-app"] == "1")
        let mine = try await Self.send(app, "GET", "/api/users/me")
        #expect(mine.headers["x-users"] == nil)
        let refused = try await Self.send(app, "POST", "/api/users/7")
        #expect(refused.status == 405)
        #expect(refused.headers["allow"] == "DELETE, GET, HEAD")
        #expect(refused.headers["x-users"] == nil)
        #expect(refused.headers["x-app"] == "1")
    }

    @Test("mount with a parameterised prefix")
    func mountWithParams() async throws {
        var repos = Router()
        repos.get("/:repo", Self.echo("repo"))
        var app = Router()
        app.mount("/orgs/:org", repos)
        #expect(try await Self.params(app, "/orgs/swift/drover") == ["org": "swift", "repo": "drover"])
    }

    @Test("a router is a fetch-only worker")
    func worker() async throws {
        let worker: any Worker = Self.table
        let response = try await worker.fetch(TestSupport.makeRequest("GET", "/users"), env: TestSupport.makeEnv(), ctx: TestSupport.makeContext())
        #expect(response.status == 200)
        await #expect(throws: WorkerError.handlerMissing("queue")) {
            try await worker.queue(MessageBatch(queue: "q", messages: []), env: TestSupport.makeEnv(), ctx: TestSupport.makeContext())
        }
    }

    // MARK: - Compiled patterns

    @Test("patterns compile into segments")
    func compile() {
        #expect(RoutePattern("/").segments == [])
        #expect(RoutePattern("").segments == [])
        #expect(RoutePattern("/a/").segments == [.literal("a"), .literal("")])
        #expect(RoutePattern("/a/:b/*").segments == [.literal("a"), .parameter("b"), .wildcard])
        #expect(RoutePattern("/a%20b/x*").segments == [.literal("a b"), .literal("x*")])
        #expect(RoutePattern("/u/:id/p/:post/*").captureNames == ["id", "post", "*"])
    }
}
