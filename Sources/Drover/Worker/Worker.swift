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

/// Errors about workers and their bindings.
public struct WorkerError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case handlerMissing
        case bindingMissing
        case bindingKind
        case bindingNotEmulated
        case requirementsUnmet
        case workerNotRegistered
    }

    private let code: Code
    /// What is wrong and how to fix it.
    public let message: String

    /// The worker has no such entry point.
    public static func handlerMissing(_ entryPoint: String) -> WorkerError {
        WorkerError(code: .handlerMissing, message: "Handler does not export a \(entryPoint)() function.")
    }

    /// No binding of that name is configured.
    public static func bindingMissing(_ name: String, kind: String, configFile: String) -> WorkerError {
        WorkerError(
            code: .bindingMissing,
            message: "no \(kind) binding named \"\(name)\": add it to \(configFile)"
        )
    }

    /// The binding exists but is of another kind.
    public static func bindingKind(_ name: String, expected: String, actual: String, configFile: String) -> WorkerError {
        WorkerError(
            code: .bindingKind,
            message: "binding \"\(name)\" in \(configFile) is a \(actual), not a \(expected)"
        )
    }

    /// The config declares the binding with a key Drover accepts but does not emulate.
    public static func bindingNotEmulated(_ name: String, kind: String, section: String, configFile: String) -> WorkerError {
        WorkerError(
            code: .bindingNotEmulated,
            message: "binding \"\(name)\" (\(kind), declared by \(section) in \(configFile)) is not emulated by Drover: "
                + "it exists on the platform only, so code that uses it cannot run under drover dev or replay"
        )
    }

    /// The worker's ``Worker/requirements`` that the config does not meet, each with where to declare it.
    public static func requirementsUnmet(_ missing: [String], configFile: String) -> WorkerError {
        WorkerError(
            code: .requirementsUnmet,
            message: "the worker needs what \(configFile) does not give it: " + missing.joined(separator: "; ")
        )
    }

    /// `main` names a worker that is not registered in this binary.
    public static func workerNotRegistered(_ name: String, available: [String]) -> WorkerError {
        let list = available.sorted().joined(separator: ", ")
        return WorkerError(
            code: .workerNotRegistered,
            message: "no worker named \"\(name)\" is registered in this binary (registered: \(list.isEmpty ? "none" : list))"
        )
    }

    public var description: String { message }
}
