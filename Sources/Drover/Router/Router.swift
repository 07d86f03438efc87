/// Routes requests by method and path to handlers, with middleware around routing — what Hono is
/// for Workers. A router is itself a fetch-only ``Worker``.
///
/// ```swift
/// var router = Router()
/// router.use { request, env, ctx, next in
///     var response = try await next(request)
///     response.headers.set("x-powered-by", "drover")
///     return response
/// }
/// router.get("/users/:id") { request, env, ctx in
///     .json(["id": .string(request.params["id"] ?? "")])
/// }
/// router.get("/files/*") { request, _, _ in Response(request.params["*"] ?? "") }
/// ```
///
/// **Patterns.** `/`-separated segments, each one of:
/// - a literal (`users`), compared with the request's segment after percent-decoding both;
/// - `:name`, exactly one non-empty segment, percent-decoded into `request.params["name"]`;
/// - `*`, the last segment only: the rest of the path, possibly empty, percent-decoded into
///   `request.params["*"]`. `/files/*` matches `/files`, `/files/` and `/files/a/b` (`""`, `""`,
///   `"a/b"`). Because it is decoded, `%2F` in the rest becomes `/`; read ``Request/path`` for the
///   raw form.
///
/// **Precedence.** At each segment a literal beats `:name`, which beats `*`; when the preferred
/// branch has no route for the request's method, the next is tried. For one pattern, a route
/// registered for the method beats ``all(_:_:)``, and the first registration wins.
///
/// **Trailing slash.** Strict, as Hono's default: `/a/` and `/a` are different paths, and a
/// pattern matches only the one it spells. `/` is the root.
///
/// **Methods.** Compared case-sensitively (RFC 9110 §9.1: method names are case-sensitive), so
/// register upper-case names. A GET route also answers HEAD (RFC 9110 §9.3.2) unless a HEAD route
/// exists; the handler sees method `HEAD` and the server sends no content.
///
/// **No route.** When no route matches the path: 404 `{"error": "not found"}`. When routes match
/// the path but none accepts the method: 405 `{"error": "method not allowed"}` with an `Allow`
/// header listing the methods that do (RFC 9110 §15.5.6).
///
/// **Errors.** An ``HTTPResponseError`` (``HTTPError`` among them) thrown by a handler or a
/// middleware is answered with its ``HTTPResponseError/response``, so the middleware around it
/// sees a response. Any other error propagates out of ``fetch(_:env:ctx:)`` (the runtime answers
/// 500, through ``ErrorResponses``).
public struct Router: Worker {
    /// Answers a routed request; `request.params` holds the pattern's captures.
    public typealias Handler = @Sendable (Request, Env, ExecutionContext) async throws -> Response
    /// The rest of the chain, handed to a middleware: the later middleware, then routing.
    public typealias Next = @Sendable (Request) async throws -> Response
    /// Runs around routing: may change the request, answer without calling `next`, or change the
    /// response `next` returns.
    public typealias Middleware = @Sendable (Request, Env, ExecutionContext, Next) async throws -> Response

    private struct Route: Sendable {
        let method: String?
        let pattern: RoutePattern
        let handler: Handler
    }

    private var tree = RouteTree()
    /// Every registration, in order, kept so another router can ``mount(_:_:)`` this one.
    private var routes: [Route] = []
    private var middleware: [Middleware] = []

    /// An empty router: every request is answered 404.
    public init() {}

    /// Routes `method` requests whose path matches `pattern` to `handler`.
    /// - Parameters:
    ///   - method: the method, upper-case (`GET`, `POST`, or any extension method).
    ///   - pattern: segments as described on ``Router``; a malformed pattern (`*` not last, `:`
    ///     without a name) stops the program at registration.
    public mutating func on(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        add(method, RoutePattern(pattern), handler)
    }

    /// Routes GET requests, and HEAD requests when no HEAD route matches, to `handler`.
    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { on("GET", pattern, handler) }
    /// Routes POST requests to `handler`.
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { on("POST", pattern, handler) }
    /// Routes PUT requests to `handler`.
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { on("PUT", pattern, handler) }
    /// Routes DELETE requests to `handler`.
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { on("DELETE", pattern, handler) }
    /// Routes PATCH requests to `handler`.
    public mutating func patch(_ pattern: String, _ handler: @escaping Handler) { on("PATCH", pattern, handler) }
    /// Routes HEAD requests to `handler`, ahead of the GET route of the same pattern.
    public mutating func head(_ pattern: String, _ handler: @escaping Handler) { on("HEAD", pattern, handler) }
    /// Routes OPTIONS requests to `handler`.
    public mutating func options(_ pattern: String, _ handler: @escaping Handler) { on("OPTIONS", pattern, handler) }

    /// Routes requests of any method to `handler`; a route for the request's own method on the same
    /// pattern wins over it.
    public mutating func all(_ pattern: String, _ handler: @escaping Handler) {
        add(nil, RoutePattern(pattern), handler)
    }

    /// Adds a middleware. Middleware run in registration order around routing — the first added is
    /// the outermost — for every request, including those answered 404 or 405, and whatever the
    /// order of `use` and the route registrations.
    public mutating func use(_ middleware: @escaping Middleware) {
        self.middleware.append(middleware)
    }

    /// Adds every route of `router` under `prefix` (`mount("/api", users)` serves users' `/:id` at
    /// `/api/:id`, and its `/` at `/api`).
    ///
    /// The routes are copied as they are now: later changes to `router` are not seen. Its middleware
    /// run, in its order, inside this router's, around its own routes only — not for requests under
    /// `prefix` that none of its routes matches (those are answered by this router: 404 or 405).
    public mutating func mount(_ prefix: String, _ router: Router) {
        var prefixPattern = RoutePattern(prefix)
        // `/api/` as a prefix means `/api`: the mounted patterns supply their own segments.
        if case .literal("")? = prefixPattern.segments.last {
            prefixPattern = RoutePattern(String(prefix.dropLast()))
        }
        let inner = router.middleware
        for route in router.routes {
            let handler: Handler
            if inner.isEmpty {
                handler = route.handler
            } else {
                let routeHandler = route.handler
                handler = { request, env, ctx in
                    try await Self.run(inner, from: 0, request, env, ctx) { request in
                        try await routeHandler(request, env, ctx)
                    }
                }
            }
            add(route.method, route.pattern.prefixed(by: prefixPattern), handler)
        }
    }

    /// Answers `request`: the middleware in order, then the matching route's handler (or 404/405).
    /// - Throws: whatever a handler or middleware throws, except an ``HTTPResponseError``, which is answered.
    public func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        if middleware.isEmpty { return try await route(request, env: env, ctx: ctx) }
        let router = self
        return try await Self.run(middleware, from: 0, request, env, ctx) { request in
            try await router.route(request, env: env, ctx: ctx)
        }
    }

    private mutating func add(_ method: String?, _ pattern: RoutePattern, _ handler: @escaping Handler) {
        routes.append(Route(method: method, pattern: pattern, handler: handler))
        tree.insert(method, pattern, handler)
    }

    /// Runs `chain[index...]` around `last`, answering ``HTTPResponseError``s at every step.
    private static func run(
        _ chain: [Middleware],
        from index: Int,
        _ request: Request,
        _ env: Env,
        _ ctx: ExecutionContext,
        last: @escaping Next
    ) async throws -> Response {
        guard index < chain.count else { return try await last(request) }
        do {
            return try await chain[index](request, env, ctx) { request in
                try await run(chain, from: index + 1, request, env, ctx, last: last)
            }
        } catch let error as any HTTPResponseError {
            return error.response
        }
    }

    /// Matches the path and calls the handler, or answers 404/405.
    private func route(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let path = Self.path(of: request.target)
        guard let match = tree.match(request.method, path: path) else {
            let allowed = tree.allowedMethods(path: path)
            if allowed.isEmpty { return .error("not found", status: 404) }
            var response = Response.error("method not allowed", status: 405)
            response.headers.set("allow", allowed.joined(separator: ", "))
            return response
        }
        var request = request
        var params: [String: String] = [:]
        if !match.captures.isEmpty {
            params.reserveCapacity(match.captures.count)
            for (name, value) in zip(match.endpoint.captureNames, match.captures) {
                params[name] = PathSegments.key(value)
            }
        }
        request.params = params
        do {
            return try await match.endpoint.handler(request, env, ctx)
        } catch let error as any HTTPResponseError {
            return error.response
        }
    }

    /// The path of a request target (up to `?` or `#`), without copying it.
    private static func path(of target: String) -> Substring {
        let utf8 = target.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") { break }
            index = utf8.index(after: index)
        }
        return target[..<index]
    }
}
