import Drover
import DroverIntegrationKit

/// The Shopify routes, consumer and schedule of the app (Docs/sample-app.md, "Shopify").
enum Shopify {
    /// The cron expression of the scheduled order pull, as the config declares it.
    static let pullSchedule = "*/15 * * * *"

    static func install(on router: inout Router, queues: inout QueueRouter) {
        router.post("/webhooks/shopify", ShopifyWebhookReceiver.receive)

        router.post("/api/shopify/sync/products/push") { _, env, ctx in
            let counts = try await ShopifyProductPush.run(env: env, ctx: ctx, trigger: "manual")
            return .json([
                "pushed": .integer(Int64(counts.succeeded)), "failed": .integer(Int64(counts.failed)),
                "skipped": .integer(Int64(counts.skipped)),
            ])
        }

        router.post("/api/shopify/sync/orders/pull") { _, env, ctx in
            guard let outcome = try await ShopifyOrderPull.run(env: env, ctx: ctx, trigger: "manual") else {
                throw HTTPError(409, "an order pull is already running")
            }
            guard let failure = outcome.failure else { return .json(outcome.json) }
            var body = outcome.json.objectValue ?? JSONObject()
            body["error"] = .string("the pull stopped: \(describe(failure))")
            return .json(.object(body), status: ShopifyOrderPull.status(of: failure))
        }

        router.get("/api/shopify/sync/status") { _, env, ctx in
            .json(try await SyncRuns(database: try env.d1("DB"), clock: env.clock).status())
        }

        router.get("/api/shopify/circuit-breaker/status") { _, env, ctx in
            let snapshot = try await ShopifyAdminAPI.circuitBreaker(env: env).snapshot()
            return .json(["state": .string(snapshot.state.rawValue), "failures": .integer(Int64(snapshot.failedCalls))])
        }

        queues.on("shopify-events", ShopifyEventConsumer.consume)
    }

    /// The cron trigger's order pull; another cron expression is logged and left alone.
    static func scheduled(_ controller: ScheduledController, env: Env, ctx: ExecutionContext) async throws {
        guard controller.cron == pullSchedule else {
            ctx.logger.warning("no scheduled work for the cron \"\(controller.cron)\"")
            return
        }
        if try await ShopifyOrderPull.run(env: env, ctx: ctx, trigger: "cron") == nil {
            ctx.logger.info("scheduled shopify order pull skipped: another pull is under way")
        }
    }

    /// A failure in words fit for a client: the kind of failure and the upstream's status, never a
    /// URL, a header or a body.
    static func describe(_ failure: any Error) -> String {
        switch failure {
        case let error as ResilienceError: "Shopify calls refused (\(error.code))"
        case let error as RateLimitError: "Shopify calls refused (\(error.message))"
        case AdapterError.unexpectedStatus(_, let status): "Shopify answered \(status)"
        case AdapterError.unreadableResponse: "Shopify's answer could not be used (the log says why)"
        case let error as AdapterError: error.message
        case let error as FetchError: "Shopify could not be reached (\(error.kind.rawValue))"
        default: "internal error"
        }
    }
}
