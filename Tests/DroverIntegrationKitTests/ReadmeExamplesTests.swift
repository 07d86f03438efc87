import Drover
import DroverIntegrationKit
import DroverTesting
import Foundation
import Synchronization
import Testing

// The examples of the README's "Integration kit" section, verbatim: `readmeShowsTheseExamples`
// keeps the two equal, the tests below run them.

struct Inventory: IntegrationAdapter {
    let id = "inventory"
    let version = "1.0.0"

    func execute(_ sku: String, context: AdapterContext) async throws -> Response {
        try await context.fetch(try Request(url: "https://inventory.example.com/stock/\(sku)"))
    }

    func transform(_ response: Response) async throws -> JSONValue { try await response.json() }
}

enum ERP {
    static let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 4, maxWait: .milliseconds(250))
}

enum Adapters {
    static let metrics = try! IntegrationMetrics()
    static let registry = try! AdapterRegistry([Inventory()], metrics: metrics)
}

enum ReadmeExamples {
    static func routes() -> Router {
        var router = Router()

        router.post("/webhooks/shopify") { request, env, ctx in
            let verifier = try ShopifyWebhookVerifier(secret: try env.secret("SHOPIFY_WEBHOOK_SECRET"))
            let body = try await request.verifiedBody(using: verifier)
            try await env.queue("SHOPIFY_EVENTS").send(json: try JSONParser.parse(body))
            return .json(["received": true])
        }

        router.get("/api/me") { request, env, ctx in
            guard let token = request.bearerToken ?? request.cookie("__session") else { throw HTTPError(401) }
            let keys = JWKSCache(url: env.vars["CLERK_JWKS_URL"] ?? "", kv: try env.kv("CACHE"), env: env, logger: ctx.logger)
            let verifier = JWTVerifier(configuration: .init(issuer: env.vars["CLERK_ISSUER"] ?? "", requiresAuthorizedParty: false),
                                       keys: keys, clock: env.clock)
            let jwt = try await verifier.verify(token)   // 401 {"error": "invalid token: expired"}, ...
            return .json(["userId": .string(jwt.claims.subject ?? "")])
        }

        router.get("/api/orders") { request, env, ctx in
            let breaker = CircuitBreaker(name: "erp", kv: try env.kv("CACHE"), clock: env.clock, logger: ctx.logger)
            let upstream = try Request(url: "https://erp.example.com/orders")
            return try await RetryPolicy(maxAttempts: 3).run(clock: env.clock) {
                try await breaker.run {
                    try await ERP.bulkhead.run(clock: env.clock) {
                        try await withTimeout(.seconds(5), clock: env.clock, name: "erp") { try await env.fetch.fetch(upstream) }
                    }
                }
            }
        }

        router.post("/api/email") { request, env, ctx in
            let bucket = try TokenBucket(kv: try env.kv("CACHE"), clock: env.clock, capacity: 10, refillPerSecond: 1)
            try await bucket.acquire("client:\(request.headers["cf-connecting-ip"] ?? "unknown")")   // 429 when empty
            return Response("queued", status: 202)
        }

        router.post("/api/payments") { request, env, ctx in
            guard let key = request.headers["idempotency-key"] else { throw HTTPError(400, "Idempotency-Key is required") }
            let idempotency = Idempotency(kv: try env.kv("IDEMPOTENCY"), clock: env.clock)
            return try await idempotency.run(key: key, fingerprint: try await Idempotency.fingerprint(of: request)) {
                .json(["paymentId": .string(Crypto.randomUUID())], status: 201)
            }
        }

        router.get("/stock/:sku") { request, env, ctx in
            let adapters = try Adapters.registry.client(env: env, ctx: ctx, state: "CACHE")
            return .json(try await adapters.call(Inventory(), request.param("sku") ?? ""))
        }
        router.get("/health") { request, env, ctx in
            try await Adapters.registry.client(env: env, ctx: ctx, state: "CACHE").health().response()   // 503 when unhealthy
        }

        router.get("/metrics") { request, env, ctx in
            await (try Adapters.registry.client(env: env, ctx: ctx, state: "CACHE")).refreshCircuitBreakerGauges()
            return Adapters.metrics.registry.response()
        }

        router.get("/api/rates") { request, env, ctx in
            let cache = CacheAside(kv: try env.kv("CACHE"), clock: env.clock, context: ctx)
            let rates = try await cache.get("rates", as: [String: Double].self, freshFor: .seconds(60), staleFor: .seconds(600)) {
                try await env.fetch.fetch(try Request(url: "https://rates.example.com/latest")).json(as: [String: Double].self)
            }
            return try .json(encoding: rates.value, headers: ["x-cache": rates.status.rawValue])
        }

        return router
    }

    static func queueRouter() -> QueueRouter {
        var queues = QueueRouter()
        queues.on("emails") { batch, env, ctx in
            for message in batch.messages { message.ack() }
        }
        return queues
    }
}

/// The upstreams of the examples: the ERP answers 503 once, then its orders; the inventory and
/// the rates answer JSON; anything else is refused.
final class ReadmeUpstreams: Fetcher {
    private let erpCalls = Mutex(0)
    private let sent = Mutex<[Request]>([])

    var requests: [Request] { sent.withLock { $0 } }

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        sent.withLock { $0.append(request) }
        switch request.authority {
        case "erp.example.com":
            let call = erpCalls.withLock { calls -> Int in
                calls += 1
                return calls
            }
            return call == 1 ? Response("busy", status: 503) : .json(["orders": []])
        case "inventory.example.com":
            return .json(["sku": .string(String(request.path.split(separator: "/").last ?? "")), "stock": 12])
        case "rates.example.com":
            return .json(["EUR": 1, "USD": 1.08])
        default:
            throw FetchError(kind: .connection, message: "no upstream \(request.authority) in this test")
        }
    }
}

@Suite("README: the integration kit's examples")
struct ReadmeExamplesTests {
    @Test("every example in the README's integration kit section is in this file, line for line")
    func readmeShowsTheseExamples() throws {
        let blocks = try DocumentedExamples.swiftBlocks(in: "README.md", section: "## Integration kit")
        #expect(blocks.count == 9)
        for paragraph in try DocumentedExamples.paragraphsMissing(from: #filePath, blocks) {
            Issue.record("not in ReadmeExamplesTests.swift:\n\(paragraph)")
        }
    }

    private static let config = """
        name = "readme"
        main = "readme"

        [vars]
        CLERK_JWKS_URL = "https://clerk.example.com/.well-known/jwks.json"
        CLERK_ISSUER = "https://clerk.example.com"

        [[kv_namespaces]]
        binding = "CACHE"
        id = "cache"

        [[kv_namespaces]]
        binding = "IDEMPOTENCY"
        id = "idempotency"

        [[queues.producers]]
        binding = "SHOPIFY_EVENTS"
        queue = "shopify-events"
        """

    private func client(_ upstreams: ReadmeUpstreams) async throws -> (TestClient, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drover-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("wrangler-like.toml")
        try Self.config.write(to: config, atomically: true, encoding: .utf8)
        let client = try await TestClient(
            worker: ReadmeExamples.routes(), config: config.path, secrets: ["SHOPIFY_WEBHOOK_SECRET": "shpss_readme"], fetch: upstreams)
        return (client, folder)
    }

    @Test("the examples answer as the README says: signatures, tokens, retries, limits, idempotency, adapters, metrics, cache")
    func examplesRun() async throws {
        let upstreams = ReadmeUpstreams()
        let (client, folder) = try await client(upstreams)
        defer { try? FileManager.default.removeItem(at: folder) }

        // Webhook: an unsigned body is refused, a signed one enqueued.
        let body = Array(#"{"id": 1}"#.utf8)
        #expect(await client.request("POST", "/webhooks/shopify", body: Body(bytes: body)).status == 401)
        let signature = Base64.encode(Crypto.hmacSHA256(key: Array("shpss_readme".utf8), data: body))
        let accepted = await client.request("POST", "/webhooks/shopify", headers: ["X-Shopify-Hmac-Sha256": signature], body: Body(bytes: body))
        #expect(accepted.status == 200)
        #expect(try await accepted.json() == ["received": true])

        // JWT: no token, no entry.
        #expect(await client.request("GET", "/api/me").status == 401)
        #expect(await client.request("GET", "/api/me", headers: ["Authorization": "Bearer not.a.jwt"]).status == 401)

        // Retry through the breaker: the ERP's 503 is retried.
        let orders = await client.request("GET", "/api/orders")
        #expect(orders.status == 200)
        #expect(upstreams.requests.filter { $0.authority == "erp.example.com" }.count == 2)
        #expect(ERP.bulkhead.activeCalls == 0)

        // Rate limit: ten a client, then 429 with Retry-After.
        for _ in 0..<10 {
            #expect(await client.request("POST", "/api/email", headers: ["CF-Connecting-IP": "203.0.113.9"]).status == 202)
        }
        let limited = await client.request("POST", "/api/email", headers: ["CF-Connecting-IP": "203.0.113.9"])
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] == "1")

        // Idempotency: the same key and body answer the same payment, replayed.
        let payment = Body(bytes: Array(#"{"amount": 500}"#.utf8))
        let first = await client.request("POST", "/api/payments", headers: ["Idempotency-Key": "k-1"], body: payment)
        let again = await client.request("POST", "/api/payments", headers: ["Idempotency-Key": "k-1"], body: payment)
        #expect(first.status == 201)
        #expect(again.status == 201)
        #expect(try await first.text() == (try await again.text()))
        #expect(again.headers["idempotent-replayed"] == "true")
        #expect(await client.request("POST", "/api/payments", body: payment).status == 400)

        // Adapter: the call, its trace, its metrics, the health page.
        let stock = await client.request("GET", "/stock/sku-42", headers: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
        #expect(try await stock.json() == ["sku": "sku-42", "stock": 12])
        let sent = try #require(upstreams.requests.last { $0.authority == "inventory.example.com" })
        #expect(sent.headers["traceparent"]?.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") == true)
        let health = await client.request("GET", "/health")
        #expect(health.status == 200)
        #expect(try await health.json()["status"] == "healthy")
        let metrics = try await client.request("GET", "/metrics").text()
        #expect(metrics.contains(#"integration_requests_total{adapter_id="inventory",status="success"} 1"#))
        #expect(metrics.contains(#"integration_circuit_breaker_state{adapter_id="inventory"} 0"#))

        // Cache-aside: fetched once, then fresh from KV.
        let fetched = await client.request("GET", "/api/rates")
        #expect(fetched.headers["x-cache"] == "fetched")
        let cached = await client.request("GET", "/api/rates")
        #expect(cached.headers["x-cache"] == "fresh")
        #expect(try await cached.json() == ["EUR": 1, "USD": 1.08])
        #expect(upstreams.requests.filter { $0.authority == "rates.example.com" }.count == 1)

        // The queue router routes by queue name.
        #expect(ReadmeExamples.queueRouter().queues == ["emails"])
    }
}
