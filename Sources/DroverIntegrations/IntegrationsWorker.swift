import Drover

/// The sample integration app (`wrangler-like.toml`, Docs/sample-app.md), registered as
/// `integrations`.
///
/// Its routes land as each integration is built; for now it answers `GET /health`
/// in its documented shape, with no adapters yet.
package struct IntegrationsWorker: Worker {
    private let router: Router

    package init() {
        var router = Router()
        router.get("/health") { _, _, _ in
            .json(["status": "healthy", "checks": [:]])
        }
        self.router = router
    }

    package func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        try await router.fetch(request, env: env, ctx: ctx)
    }
}
