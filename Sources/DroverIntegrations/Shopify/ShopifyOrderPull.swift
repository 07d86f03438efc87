import Drover
import DroverIntegrationKit

/// `POST /api/shopify/sync/orders/pull` and the `*/15 * * * *` cron trigger: imports the orders
/// updated since the last successful pull started (every order, the first time) through
/// ``ShopifyAdminAPI``, 250 a page, following `Link: <…>; rel="next"` to the last page.
///
/// Each page's orders are stored in one transaction by the same ``ShopifyStore`` writes as the
/// webhook consumer, so an order seen both ways — or twice — ends up as one row, the newest
/// version winning. An order missing what the store needs is counted `failed` and skipped. The run
/// is recorded in `sync_runs` as `orders`, with the `updated_at_min` it asked for; a run that did
/// not finish leaves the next one starting from the same point, so nothing is missed.
enum ShopifyOrderPull {
    /// What a pull did.
    struct Outcome: Sendable {
        var counts = SyncRuns.Counts()
        var pages = 0
        /// Why it stopped before the last page, nil when it reached it.
        var failure: (any Error)?

        var json: JSONValue {
            ["imported": .integer(Int64(counts.succeeded)), "failed": .integer(Int64(counts.failed)), "pages": .integer(Int64(pages))]
        }
    }

    /// The first pull asks for every order.
    static let beginning = "1970-01-01T00:00:00Z"
    /// A bound on the pages of one run, against a `Link` chain that never ends.
    static let maxPages = 400

    /// Runs one pull.
    /// - Returns: nil when another pull is under way.
    static func run(env: Env, ctx: ExecutionContext, trigger: String) async throws -> Outcome? {
        let database = try env.d1("DB")
        let runs = SyncRuns(database: database, clock: env.clock)
        let since = try await runs.lastSuccessStart(.orders) ?? beginning
        guard let runID = try await runs.start(.orders, trigger: trigger, since: since) else { return nil }
        var outcome = Outcome()
        do {
            try await pull(since: since, env: env, ctx: ctx, database: database, outcome: &outcome)
        } catch let error as CancellationError {
            try? await runs.finish(runID, counts: outcome.counts, error: "cancelled")
            throw error
        } catch {
            outcome.failure = error
        }
        try await runs.finish(runID, counts: outcome.counts, error: outcome.failure.map { "\($0)" })
        if let failure = outcome.failure {
            ctx.logger.error("shopify order pull (\(trigger)) stopped after \(outcome.pages) pages: \(failure)")
        } else {
            ctx.logger.info(
                "shopify order pull (\(trigger)): \(outcome.counts.succeeded) imported, \(outcome.counts.failed) failed, \(outcome.pages) pages")
        }
        return outcome
    }

    private static func pull(since: String, env: Env, ctx: ExecutionContext, database: any D1Database, outcome: inout Outcome) async throws {
        let shop = try ShopifyShop(env: env)
        let client = try Integrations.client(env: env, ctx: ctx)
        let store = ShopifyStore(database: database)
        var url = shop.adminURL("orders.json?status=any&updated_at_min=\(since)&limit=250")
        while true {
            let answer = try await client.call(ShopifyAdminAPI(), ShopifyAdminAPI.Call(shop: shop, method: "GET", url: url))
            guard case .array(let orders)? = answer.json["orders"] else {
                throw AdapterError.unreadableResponse(adapter: ShopifyAdminAPI.id, reason: "no \"orders\" array in the page")
            }
            var statements: [D1PreparedStatement] = []
            var stored = 0
            for payload in orders {
                do {
                    statements += store.upsert(try ShopifyOrder(payload, topic: .ordersUpdated))
                    stored += 1
                } catch {
                    outcome.counts.failed += 1
                    ctx.logger.warning("shopify order pull: an order was skipped: \(error)")
                }
            }
            if !statements.isEmpty { _ = try await database.batch(statements) }
            outcome.counts.succeeded += stored
            outcome.pages += 1
            guard let next = answer.nextPage else { return }
            guard shop.isAdminURL(next) else {
                throw AdapterError.unreadableResponse(adapter: ShopifyAdminAPI.id, reason: "the next page's link leaves the shop's Admin API")
            }
            guard outcome.pages < maxPages else {
                throw AdapterError.unreadableResponse(adapter: ShopifyAdminAPI.id, reason: "more than \(maxPages) pages")
            }
            url = next
        }
    }

    /// The status a failed manual pull answers: 503 when the app refused to call (breaker open,
    /// no room in the rate limit), 502 when the shop failed.
    static func status(of failure: any Error) -> Int {
        failure.isLocalRefusal ? 503 : 502
    }
}
