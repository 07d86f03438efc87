/// A worker made of closures, for small workers and tests.
public struct ClosureWorker: Worker {
    public typealias FetchHandler = @Sendable (Request, Env, ExecutionContext) async throws -> Response
    public typealias QueueHandler = @Sendable (MessageBatch, Env, ExecutionContext) async throws -> Void
    public typealias ScheduledHandler = @Sendable (ScheduledController, Env, ExecutionContext) async throws -> Void

    private let fetchHandler: FetchHandler?
    private let queueHandler: QueueHandler?
    private let scheduledHandler: ScheduledHandler?

    /// Creates a worker from the entry points given.
    public init(fetch: FetchHandler? = nil, queue: QueueHandler? = nil, scheduled: ScheduledHandler? = nil) {
        self.fetchHandler = fetch
        self.queueHandler = queue
        self.scheduledHandler = scheduled
    }

    public func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        guard let fetchHandler else { throw WorkerError.handlerMissing("fetch") }
        return try await fetchHandler(request, env, ctx)
    }

    public func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
        guard let queueHandler else { throw WorkerError.handlerMissing("queue") }
        try await queueHandler(batch, env, ctx)
    }

    public func scheduled(_ controller: ScheduledController, env: Env, ctx: ExecutionContext) async throws {
        guard let scheduledHandler else { throw WorkerError.handlerMissing("scheduled") }
        try await scheduledHandler(controller, env, ctx)
    }
}
