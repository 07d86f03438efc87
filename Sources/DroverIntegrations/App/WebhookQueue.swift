import Drover

/// Queues each webhook delivery once: a sender's retry of a delivery id seen in the last
/// ``window`` seconds is answered without being queued again. The ids are remembered in
/// `IDEMPOTENCY` under `<source>:webhook:<id>`.
///
/// **Order of the writes.** The message is queued (durably) before its id is remembered. A crash
/// between the two loses nothing: the sender, having no answer, delivers again, the message is
/// queued a second time, and the consumers' writes are idempotent. The other order would remember
/// an id whose message was never queued, and drop the sender's retry of it.
enum WebhookQueue {
    /// How long a delivery id is remembered: past the senders' retries (Shopify's run up to 48
    /// hours, Svix's about a day).
    static let window: Int64 = 48 * 60 * 60

    /// Queues `message` on `queue` unless `deliveryID` of `source` was queued within ``window``.
    /// - Returns: 200 `{"ok": true}`, or `{"ok": true, "duplicate": true}` for a repeat.
    static func enqueueOnce(
        _ message: JSONValue, on queue: String, source: String, deliveryID: String, kind: String, env: Env, ctx: ExecutionContext
    ) async throws -> Response {
        let seen = try env.kv("IDEMPOTENCY")
        let key = "\(source):webhook:\(deliveryID)"
        if try await seen.get(key) != nil {
            ctx.logger.info("\(source) webhook \(deliveryID) (\(kind)): duplicate, not queued again")
            return .json(["ok": true, "duplicate": true])
        }
        try await env.queue(queue).send(json: message)
        try await seen.put(key, kind, options: KVPutOptions(expirationTtl: window))
        // The request line already says 200; the id is for following one delivery (debug level).
        ctx.logger.debug("\(source) webhook \(deliveryID) (\(kind)) queued")
        return .json(["ok": true])
    }
}
