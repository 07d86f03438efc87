import Drover

/// The `shopify-events` consumer: stores each queued webhook's record in `DB`.
///
/// Each message is handled on its own, so one bad message never holds up the others in its
/// batch:
///
/// - its writes, and the `webhook_log` row saying it was processed, are one transaction
///   (``ShopifyStore``): all of it lands or none of it;
/// - a message whose payload lacks what its topic needs (a poison message), or whose transaction
///   fails, is logged as `failed` in `webhook_log` and retried with a growing delay; past the
///   consumer's `max_retries` the runtime moves it to `shopify-events-dlq`;
/// - a message delivered twice (queues deliver at least once) writes the same rows again.
enum ShopifyEventConsumer {
    static func consume(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        let store = ShopifyStore(database: try env.d1("DB"))
        for message in batch.messages {
            let event: ShopifyEvent
            do {
                event = try ShopifyEvent(message.body)
            } catch {
                ctx.logger.error("shopify-events message \(message.id) (attempt \(message.attempts)): \(error)")
                message.retry(delaySeconds: QueueRetry.delay(afterAttempt: message.attempts))
                continue
            }
            do {
                _ = try await store.database.batch(try statements(for: event, store) + [store.logProcessed(event.webhookID, topic: event.topic)])
                message.ack()
                ctx.logger.info("shopify webhook \(event.webhookID) (\(event.topic.rawValue)) processed")
            } catch {
                ctx.logger.error("shopify webhook \(event.webhookID) (\(event.topic.rawValue)), attempt \(message.attempts): \(error)")
                do {
                    try await store.logFailed(event.webhookID, topic: event.topic.rawValue, error: "\(error)")
                } catch {
                    ctx.logger.error("shopify webhook \(event.webhookID): its failure could not be logged: \(error)")
                }
                message.retry(delaySeconds: QueueRetry.delay(afterAttempt: message.attempts))
            }
        }
    }

    /// The statements that store `event`'s record.
    /// - Throws: ``ShopifyPayloadError`` when the payload lacks what the topic needs.
    static func statements(for event: ShopifyEvent, _ store: ShopifyStore) throws(ShopifyPayloadError) -> [D1PreparedStatement] {
        switch event.topic {
        case .ordersCreate, .ordersUpdated:
            store.upsert(try ShopifyOrder(event.payload, topic: event.topic))
        case .productsCreate, .productsUpdate:
            store.upsert(try ShopifyProduct(event.payload, topic: event.topic))
        case .customersCreate, .customersUpdate:
            store.upsert(try ShopifyCustomer(event.payload, topic: event.topic))
        case .inventoryLevelsUpdate:
            store.upsert(try ShopifyInventoryLevel(event.payload, topic: event.topic))
        }
    }
}
