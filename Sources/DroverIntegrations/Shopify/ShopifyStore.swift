import Drover

/// The Shopify tables of `DB`, written so that every write is idempotent and the newest version of
/// a record wins whatever order its events arrive in.
///
/// Each write is a list of statements for one ``D1Database/batch(_:)`` — one transaction — and
/// decides in SQL, inside that transaction, whether the incoming version wins: no read-then-write
/// race with another consumer or the order pull. The rule, for orders, products and customers:
///
/// - the incoming `updated_at` is compared with the stored one as instants (`julianday()` reads
///   the offsets Shopify sends); the incoming version wins when it is as new or newer;
/// - a version that loses is written to `conflict_log` — once, however often it is delivered
///   (a unique index on entity, id and rejected timestamp);
/// - applying the same version twice leaves the same rows (at-least-once delivery).
struct ShopifyStore {
    let database: any D1Database

    // MARK: - Orders

    /// The statements that store `order` and, when it wins, its line items in place of the
    /// stored ones.
    func upsert(_ order: ShopifyOrder) -> [D1PreparedStatement] {
        var statements = [
            logConflict("order", table: "orders", id: order.id, updatedAt: order.updatedAt),
            database.prepare(
                """
                INSERT INTO orders (shopify_id, email, total_price, currency, financial_status, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                ON CONFLICT (shopify_id) DO UPDATE SET
                    email = excluded.email, total_price = excluded.total_price, currency = excluded.currency,
                    financial_status = excluded.financial_status, updated_at = excluded.updated_at
                WHERE orders.updated_at IS NULL OR julianday(excluded.updated_at) >= julianday(orders.updated_at)
                """
            ).bind(order.id, order.email, order.totalPrice, order.currency, order.financialStatus, order.updatedAt),
            // The items follow the order only when this version is the one stored now.
            database.prepare(
                """
                DELETE FROM order_items WHERE order_shopify_id = ?1
                AND (SELECT updated_at FROM orders WHERE shopify_id = ?1) = ?2
                """
            ).bind(order.id, order.updatedAt),
        ]
        let insertItem = database.prepare(
            """
            INSERT OR REPLACE INTO order_items (order_shopify_id, shopify_id, sku, quantity, price)
            SELECT ?1, ?3, ?4, ?5, ?6 WHERE (SELECT updated_at FROM orders WHERE shopify_id = ?1) = ?2
            """
        )
        for item in order.lineItems {
            statements.append(insertItem.bind(order.id, order.updatedAt, item.id, item.sku, item.quantity, item.price))
        }
        return statements
    }

    // MARK: - Customers

    /// The statements that store `customer`: one row per email compared case-insensitively, so a
    /// second Shopify customer with an email already stored merges into that row (which keeps its
    /// first `shopify_id`); the newer version's names win, a missing name keeps the stored one.
    /// A customer without an email is kept by its id.
    func upsert(_ customer: ShopifyCustomer) -> [D1PreparedStatement] {
        guard let email = customer.email else {
            return [
                logConflict("customer", table: "customers", id: customer.id, updatedAt: customer.updatedAt),
                database.prepare(
                    """
                    UPDATE customers SET first_name = coalesce(?2, first_name), last_name = coalesce(?3, last_name), updated_at = ?4
                    WHERE shopify_id = ?1 AND email IS NULL
                    AND (updated_at IS NULL OR julianday(?4) >= julianday(updated_at))
                    """
                ).bind(customer.id, customer.firstName, customer.lastName, customer.updatedAt),
                database.prepare(
                    """
                    INSERT INTO customers (shopify_id, email, first_name, last_name, updated_at)
                    SELECT ?1, NULL, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM customers WHERE shopify_id = ?1 AND email IS NULL)
                    """
                ).bind(customer.id, customer.firstName, customer.lastName, customer.updatedAt),
            ]
        }
        return [
            database.prepare(
                """
                INSERT OR IGNORE INTO conflict_log (entity, shopify_id, kept_updated_at, rejected_updated_at)
                SELECT 'customer', ?1, updated_at, ?3 FROM customers
                WHERE lower(email) = lower(?2) AND julianday(updated_at) > julianday(?3)
                """
            ).bind(customer.id, email, customer.updatedAt),
            database.prepare(
                """
                INSERT INTO customers (shopify_id, email, first_name, last_name, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (lower(email)) DO UPDATE SET
                    first_name = coalesce(excluded.first_name, customers.first_name),
                    last_name = coalesce(excluded.last_name, customers.last_name),
                    updated_at = excluded.updated_at
                WHERE customers.updated_at IS NULL OR julianday(excluded.updated_at) >= julianday(customers.updated_at)
                """
            ).bind(customer.id, email, customer.firstName, customer.lastName, customer.updatedAt),
        ]
    }

    // MARK: - Products

    /// The statements that store `product`. A version that wins also clears `dirty`: Shopify's
    /// copy is newer than the local edit, which is then logged as the loser only if it was newer.
    func upsert(_ product: ShopifyProduct) -> [D1PreparedStatement] {
        [
            logConflict("product", table: "products", id: product.id, updatedAt: product.updatedAt),
            database.prepare(
                """
                INSERT INTO products (shopify_id, title, handle, status, updated_at, dirty) VALUES (?1, ?2, ?3, ?4, ?5, 0)
                ON CONFLICT (shopify_id) DO UPDATE SET
                    title = excluded.title, handle = excluded.handle, status = excluded.status,
                    updated_at = excluded.updated_at, dirty = 0
                WHERE products.updated_at IS NULL OR julianday(excluded.updated_at) >= julianday(products.updated_at)
                """
            ).bind(product.id, product.title, product.handle, product.status, product.updatedAt),
        ]
    }

    // MARK: - Inventory

    /// The statement that stores `level`: one row per item and location, the newer level winning.
    func upsert(_ level: ShopifyInventoryLevel) -> [D1PreparedStatement] {
        [
            database.prepare(
                """
                INSERT INTO inventory_levels (inventory_item_id, location_id, available, updated_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (inventory_item_id, location_id) DO UPDATE SET
                    available = excluded.available, updated_at = excluded.updated_at
                WHERE inventory_levels.updated_at IS NULL
                    OR julianday(excluded.updated_at) >= julianday(inventory_levels.updated_at)
                """
            ).bind(level.inventoryItemID, level.locationID, level.available, level.updatedAt)
        ]
    }

    // MARK: - Webhook log

    /// The statement that records webhook `id` as processed.
    func logProcessed(_ id: String, topic: ShopifyTopic) -> D1PreparedStatement {
        database.prepare(
            """
            INSERT INTO webhook_log (webhook_id, topic, status, error) VALUES (?1, ?2, 'processed', NULL)
            ON CONFLICT (webhook_id) DO UPDATE SET status = 'processed', error = NULL
            """
        ).bind(id, topic.rawValue)
    }

    /// Records webhook `id` as failed with `error` (a later success overwrites it; a failure never
    /// overwrites a success).
    func logFailed(_ id: String, topic: String, error: String) async throws {
        _ = try await database.prepare(
            """
            INSERT INTO webhook_log (webhook_id, topic, status, error) VALUES (?1, ?2, 'failed', ?3)
            ON CONFLICT (webhook_id) DO UPDATE SET status = 'failed', error = excluded.error WHERE webhook_log.status <> 'processed'
            """
        ).bind(id, topic, error).run()
    }

    // MARK: -

    /// Logs a version of `entity` `id` stamped `updatedAt` that loses to the stored row of `table`.
    private func logConflict(_ entity: String, table: String, id: Int64, updatedAt: String) -> D1PreparedStatement {
        database.prepare(
            """
            INSERT OR IGNORE INTO conflict_log (entity, shopify_id, kept_updated_at, rejected_updated_at)
            SELECT ?1, shopify_id, updated_at, ?3 FROM \(table) WHERE shopify_id = ?2 AND julianday(updated_at) > julianday(?3)
            """
        ).bind(entity, id, updatedAt)
    }
}
