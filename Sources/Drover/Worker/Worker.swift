/// A worker: up to three entry points, as in the Workers module syntax
/// (`export default { fetch, queue, scheduled }`).
///
/// Each entry point has a default that throws ``WorkerError/handlerMissing(_:)``, so a worker
/// implements only what it serves. A worker is a `Sendable` value: one instance serves every
/// request concurrently, so keep shared mutable state in an actor or behind a lock, or better in a
/// binding.
public protocol Worker: Sendable {
    /// Answers one HTTP request.
    /// - Returns: the response; the runtime writes it, then awaits the request's `waitUntil` work
    ///   (at most 30 seconds, then cancels it).
    /// - Throws: an ``HTTPResponseError`` (``HTTPError`` among them) is answered with its status,
    ///   headers and `{"error": message}`; any other error is logged and answered 500
    ///   `{"error": "internal server error"}`, with its description in `"detail"` under `drover dev`
    ///   only (``ErrorResponses``). Either way the server goes on serving.
    func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response

    /// Handles one batch of queue messages (see ``MessageBatch`` for ack and retry).
    /// - Throws: any error is logged; every message the handler did not ack is retried (after the
    ///   consumer's `retry_delay`), and a message past `max_retries` goes to the dead-letter queue
    ///   or is dropped. Messages acked before the throw stay acked.
    func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws

    /// Runs one cron trigger.
    /// - Throws: any error is logged and the run counts as `exception` (what
    ///   `/cdn-cgi/handler/scheduled` answers, with status 500); the trigger fires again at its next
    ///   time. Whether it called ``ScheduledController/noRetry()`` is reported by
    ///   `/cdn-cgi/handler/scheduled?format=json`; Drover does not retry a run.
    func scheduled(_ controller: ScheduledController, env: Env, ctx: ExecutionContext) async throws

    /// The bindings, vars and secrets the worker needs; checked before it serves anything (see
    /// ``WorkerRequirement``). None by default.
    var requirements: [WorkerRequirement] { get }
}

extension Worker {
    public var requirements: [WorkerRequirement] { [] }

    public func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        throw WorkerError.handlerMissing("fetch")
    }

    public func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        throw WorkerError.handlerMissing("queue")
    }

    public func scheduled(_ controller: ScheduledController, env: Env, ctx: ExecutionContext) async throws {
        throw WorkerError.handlerMissing("scheduled")
    }
}
