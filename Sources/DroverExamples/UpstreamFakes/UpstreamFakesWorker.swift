import Drover

/// `upstream-fakes`: local stand-ins for the sample app's upstreams, clearly fakes, run beside it
/// in one `drover dev` session (`Examples/upstream-fakes/`, `Docs/upstream-fakes.md`). The app's
/// config keeps production URLs; its dev wiring (`[[dev.outbound]]`) routes their hosts here, and
/// each fake answers by path:
///
/// | fake | routes |
/// |---|---|
/// | Shopify Admin REST | `PUT /admin/api/{v}/products/{id}.json`, `GET /admin/api/{v}/orders.json` (pages, call limit, 429) |
/// | Clerk | `GET /.well-known/jwks.json`, `POST /__fakes/clerk/token` (mints a session token), `POST /__fakes/clerk/webhook` (a Svix-signed event) |
/// | email provider | `POST /emails` |
/// | payments (Stripe) | `POST /v1/payment_intents`, `POST /__fakes/stripe/webhook` (a signed event) |
/// | OAuth provider | `GET /oauth/authorize`, `POST /oauth/token` |
///
/// and the controls: `GET /__fakes` (this list), `GET /__fakes/calls` (every call received, oldest
/// first), `DELETE /__fakes/calls`, `POST /__fakes/fail {"fake", "mode": "429"|"503"|"401"|"timeout",
/// "count"}` (the next `count` calls to that fake fail so, to watch retries, breakers and dead
/// letters happen). State lives in the KV binding `FAKES`.
package struct UpstreamFakesWorker: Worker {
    private let router: Router

    package init() {
        var router = Router()
        ShopifyFake.install(on: &router)
        ClerkFake.install(on: &router)
        EmailFake.install(on: &router)
        PaymentsFake.install(on: &router)
        OAuthFake.install(on: &router)
        router.get("/__fakes") { _, _, _ in .json(Self.index) }
        router.get("/__fakes/calls") { _, env, _ in
            .json(["calls": .array(try await FakeLedger(env: env).calls())])
        }
        router.delete("/__fakes/calls") { _, env, _ in
            .json(["cleared": .integer(Int64(try await FakeLedger(env: env).clearCalls()))])
        }
        router.post("/__fakes/fail") { request, env, _ in
            let body = try await request.json()
            guard let fake = body["fake"]?.stringValue, FakeLedger.fakes.contains(fake) else {
                throw HTTPError(400, "fake must be one of \(FakeLedger.fakes.sorted().joined(separator: ", "))")
            }
            guard let mode = body["mode"]?.stringValue, FakeLedger.modes.contains(mode) else {
                throw HTTPError(400, "mode must be one of \(FakeLedger.modes.sorted().joined(separator: ", "))")
            }
            let count = body["count"]?.integerValue ?? 1
            guard (1...1_000).contains(count) else { throw HTTPError(400, "count must be from 1 to 1000") }
            try await FakeLedger(env: env).fail(fake, mode: mode, count: Int(count))
            return .json(["fake": .string(fake), "mode": .string(mode), "count": .integer(count)])
        }
        self.router = router
    }

    package func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        try await router.fetch(request, env: env, ctx: ctx)
    }

    /// What `GET /__fakes` answers.
    static let index: JSONValue = [
        "note": "local fakes of the sample app's upstreams: nothing here reaches a real service",
        "fakes": [
            "shopify": ["PUT /admin/api/{version}/products/{id}.json", "GET /admin/api/{version}/orders.json?limit=N&page_info=..."],
            "clerk": [
                "GET /.well-known/jwks.json", "POST /__fakes/clerk/token {\"sub\": \"user_1\", \"lifetime\": 3600}",
                "POST /__fakes/clerk/webhook {\"type\": \"user.created\", \"data\": {...}, \"deliverTo\": \"http://localhost:8787/webhooks/clerk\"}",
            ],
            "email": ["POST /emails"],
            "payments": ["POST /v1/payment_intents", "POST /__fakes/stripe/webhook {\"deliverTo\": \"http://localhost:8787/webhooks/stripe\"}"],
            "oauth": ["GET /oauth/authorize", "POST /oauth/token"],
        ],
        "controls": [
            "GET /__fakes/calls", "DELETE /__fakes/calls",
            "POST /__fakes/fail {\"fake\": \"shopify|clerk|email|payments|oauth\", \"mode\": \"429|503|401|timeout\", \"count\": N}",
        ],
    ]
}
