import Drover
import DroverIntegrationKit

/// The sample integration app (`wrangler-like.toml`, Docs/sample-app.md), registered as
/// `integrations` — the whole app on one screen. Each area installs its routes and consumers from
/// its own folder:
///
/// | area | routes | consumers | schedule |
/// |---|---|---|---|
/// | Shopify (`Shopify/`) | `POST /webhooks/shopify`, `POST /api/shopify/sync/products/push`, `POST /api/shopify/sync/orders/pull`, `GET /api/shopify/sync/status`, `GET /api/shopify/circuit-breaker/status` | `shopify-events` | `*/15 * * * *` order pull |
/// | Clerk (`Clerk/`) | `GET /api/me` (session token), `POST /webhooks/clerk` | `user-sync` | |
/// | email (`Email/`) | `POST /api/email`, `GET /api/email/dlq`, `POST /api/email/dlq/replay` | `emails`, `emails-dlq` | |
/// | payments (`Payments/`) | `POST /api/payments` (idempotency keys), `POST /webhooks/stripe` | | |
/// | OAuth (`OAuth/`) | `GET /auth/login`, `GET /auth/callback` | | |
/// | operations | `GET /health`, `GET /metrics` | | |
package struct IntegrationsWorker: Worker {
    private let router: Router
    private let queues: QueueRouter

    package init() {
        var router = Router()
        var queues = QueueRouter()
        Shopify.install(on: &router, queues: &queues)
        Clerk.install(on: &router, queues: &queues)
        Email.install(on: &router, queues: &queues)
        Payments.install(on: &router)
        OAuthLogin.install(on: &router)

        // Operations: every adapter's health (its breaker and its own probe), and the metrics
        // its calls recorded in this isolate (the breaker gauges read back from CACHE first).
        router.get("/health") { _, env, ctx in
            await (try Integrations.client(env: env, ctx: ctx)).health().response()
        }
        router.get("/metrics") { _, env, ctx in
            await (try Integrations.client(env: env, ctx: ctx)).refreshCircuitBreakerGauges()
            return Response(try Integrations.adapters(env).metrics.registry.render(), headers: ["Content-Type": MetricsRegistry.contentType])
        }
        self.router = router
        self.queues = queues
    }

    package func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        try await router.fetch(request, env: env, ctx: ctx)
    }

    package func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        try await queues.queue(batch, env: env, ctx: ctx)
    }

    package func scheduled(_ controller: ScheduledController, env: Env, ctx: ExecutionContext) async throws {
        try await Shopify.scheduled(controller, env: env, ctx: ctx)
    }
}
