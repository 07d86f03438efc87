import Drover
import DroverIntegrationKit

/// `POST /api/shopify/sync/products/push`: sends every product with `dirty = 1` to the shop
/// (`PUT …/products/{id}.json`) through ``ShopifyAdminAPI``, and answers
/// `{"pushed": N, "failed": N, "skipped": N}`.
///
/// - **pushed**: Shopify took it; the row's `dirty` is cleared and its `updated_at` set to
///   Shopify's, so the `products/update` webhook that follows is the same version, not a conflict.
///   The row is cleared only if it still holds what was sent: an edit made during the push stays
///   dirty for the next one.
/// - **failed**: Shopify refused it (a 4xx), or it still failed after every retry.
/// - **skipped**: left for the next run, because the circuit breaker refused a call or the shop's
///   rate limit left no room: the run stops at the first such refusal rather than queue behind
///   it, and the product in hand and those after it count as skipped.
///
/// At most 250 products a run, lowest id first; the run is recorded in `sync_runs` as `products`.
enum ShopifyProductPush {
    static let maxProductsPerRun = 250

    static func run(env: Env, ctx: ExecutionContext, trigger: String) async throws -> SyncRuns.Counts {
        let database = try env.d1("DB")
        let runs = SyncRuns(database: database, clock: env.clock)
        guard let runID = try await runs.start(.products, trigger: trigger) else {
            throw HTTPError(409, "a product push is already running")
        }
        var counts = SyncRuns.Counts()
        do {
            let stopped = try await push(env: env, ctx: ctx, database: database, counts: &counts)
            try await runs.finish(runID, counts: counts, error: stopped)
            ctx.logger.info("shopify product push: \(counts.succeeded) pushed, \(counts.failed) failed, \(counts.skipped) skipped")
            return counts
        } catch {
            try? await runs.finish(runID, counts: counts, error: "\(error)")
            throw error
        }
    }

    /// Pushes the dirty products, counting into `counts`.
    /// - Returns: why the run stopped early, or nil when it tried every product.
    private static func push(env: Env, ctx: ExecutionContext, database: any D1Database, counts: inout SyncRuns.Counts) async throws
        -> String?
    {
        let shop = try ShopifyShop(env: env)
        let client = try Integrations.client(env: env, ctx: ctx)
        let rows = try await database.prepare(
            "SELECT shopify_id, title, handle, status, updated_at FROM products WHERE dirty = 1 ORDER BY shopify_id LIMIT ?1"
        ).bind(maxProductsPerRun).all().results
        for (index, row) in rows.enumerated() {
            guard let id = row["shopify_id"]?.int64 else { continue }
            let sent = (title: row["title"] ?? .null, handle: row["handle"] ?? .null, status: row["status"] ?? .null)
            let call = ShopifyAdminAPI.Call(
                shop: shop, method: "PUT", url: shop.adminURL("products/\(id).json"),
                body: [
                    "product": [
                        "id": .integer(id), "title": sent.title.string, "handle": sent.handle.string, "status": sent.status.string,
                    ]
                ])
            do {
                let answer = try await client.call(ShopifyAdminAPI(), call)
                let updatedAt = answer.json["product"]?["updated_at"]?.stringValue.flatMap { ShopifyTimestamp.isValid($0) ? $0 : nil }
                _ = try await database.prepare(
                    """
                    UPDATE products SET dirty = 0, updated_at = coalesce(?6, updated_at)
                    WHERE shopify_id = ?1 AND dirty = 1 AND title IS ?2 AND handle IS ?3 AND status IS ?4 AND updated_at IS ?5
                    """
                ).bind([.integer(id), sent.title, sent.handle, sent.status, row["updated_at"] ?? .null, updatedAt.map(D1Value.text) ?? .null])
                .run()
                counts.succeeded += 1
            } catch let refusal where refusal.isLocalRefusal {
                counts.skipped = rows.count - index
                ctx.logger.warning("shopify product push stopped at product \(id): \(refusal); \(counts.skipped) skipped")
                return "\(refusal)"
            } catch let error as CancellationError {
                throw error
            } catch {
                counts.failed += 1
                ctx.logger.error("shopify product push: product \(id) failed: \(error)")
            }
        }
        return nil
    }
}
