import Drover

/// Routing cost: `Router.fetch` over a realistic route table (literals, params, wildcards, 405s),
/// with handlers answering a prebuilt response, so the figure is matching plus param decoding.
///
/// `swift run -c release Benchmarks router [iterations]`
enum RouterBenchmark {
    static func run(arguments: [String]) async throws {
        let iterations = arguments.first.flatMap(Int.init) ?? 1_000_000
        let ok = Response("ok")
        let handler: Router.Handler = { _, _, _ in ok }
        var router = Router()
        for resource in ["users", "orders", "products", "invoices", "customers", "webhooks", "sessions", "carts"] {
            router.get("/api/v1/\(resource)", handler)
            router.post("/api/v1/\(resource)", handler)
            router.get("/api/v1/\(resource)/:id", handler)
            router.put("/api/v1/\(resource)/:id", handler)
            router.delete("/api/v1/\(resource)/:id", handler)
            router.get("/api/v1/\(resource)/:id/events/:event", handler)
        }
        router.get("/health", handler)
        router.get("/static/*", handler)
        router.put("/kv/*", handler)
        router.get("/kv/*", handler)

        let targets = [
            "/health", "/api/v1/orders", "/api/v1/customers/12345", "/api/v1/webhooks/abc%20def/events/42",
            "/static/css/site.min.css", "/kv/some/long/key?ttl=60", "/api/v1/carts/7?expand=items", "/missing/path",
        ]
        let requests = targets.map { Request(method: "GET", target: $0) }
        let env = Env(fetch: NoFetcher())
        let ctx = ExecutionContext(logger: .disabled)

        print("router: 52 routes, \(targets.count) paths, \(iterations) requests")
        // Warm up.
        for request in requests { _ = try await router.fetch(request, env: env, ctx: ctx) }
        let clock = ContinuousClock()
        let cpuStart = processCPUSeconds()
        var statusSum = 0
        let elapsed = try await clock.measure {
            for index in 0..<iterations {
                statusSum &+= try await router.fetch(requests[index % requests.count], env: env, ctx: ctx).status
            }
        }
        let cpuSeconds = processCPUSeconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let perSecond = Double(iterations) / seconds
        // Wall time suffers when other processes share the cores; CPU time is the steadier figure.
        print("| benchmark | requests/s (wall) | ns/request (wall) | CPU ns/request |")
        print("|---|---|---|---|")
        print(
            "| Router.fetch (mixed paths) | \(Int(perSecond)) | \(Int(seconds * 1e9 / Double(iterations))) "
                + "| \(Int(cpuSeconds * 1e9 / Double(iterations))) |"
        )
        if statusSum == 0 { print("(unreachable)") }
    }
}
