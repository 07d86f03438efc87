import Synchronization

/// The third argument of every entry point: background work, failure behaviour, the logger and the
/// trace.
///
/// Work given to ``waitUntil(_:)`` runs after the response has been sent; the runtime awaits it
/// before it shuts down, before a replay step ends, and before a queue batch counts as done, for
/// at most 30 seconds after the response, as the platform does (`drover dev` then cancels it). It
/// runs under the invocation's ``trace``, so its log lines and the queue messages it sends keep it.
public final class ExecutionContext: Sendable {
    private struct Background {
        /// Tasks not awaited yet.
        var pending: [Task<Void, Never>] = []
        /// Every task started, for cancelling.
        var started: [Task<Void, Never>] = []
        var cancelled = false
    }

    /// The logger for this request or batch, with its request id as metadata; its lines also
    /// carry the ``trace``'s `trace_id` and `span_id`.
    ///
    /// Built when asked for: most requests never log, and the request path does not pay for it.
    public var logger: Logger {
        guard let invocation else { return baseLogger }
        var logger = baseLogger
        logger[metadataKey: "request"] = String(invocation)
        return logger
    }
    private let baseLogger: Logger
    /// The runtime's number for this invocation (`request=` in the logs), when it gave one.
    private let invocation: Int?
    /// This invocation's W3C trace context: continued from the request's `traceparent` when it had
    /// a valid one, new otherwise. ``TraceContext/traceparent`` is the header value for outbound
    /// calls that should join the trace.
    public let trace: TraceContext
    private let background = Mutex(Background())
    private let passThrough = Atomic<Bool>(false)

    /// Creates a context; the runtime does this.
    /// - Parameters:
    ///   - invocation: the runtime's number for the invocation, set as ``logger``'s `request`
    ///     metadata.
    ///   - trace: the invocation's trace; a new random one unless given.
    package init(logger: Logger, invocation: Int? = nil, trace: TraceContext = .start(using: .random)) {
        self.baseLogger = logger
        self.invocation = invocation
        self.trace = trace
    }

    /// Runs `work` in the background, past the response, under this invocation's ``trace``. An
    /// error it throws is logged, never delivered to the client.
    public func waitUntil(_ work: @escaping @Sendable () async throws -> Void) {
        let logger = self.logger
        let trace = self.trace
        let task = Task {
            await TraceContext.$current.withValue(trace) {
                do {
                    try await work()
                } catch {
                    logger.error("waitUntil task failed: \(error)")
                }
            }
        }
        let cancelled = background.withLock { state -> Bool in
            state.pending.append(task)
            state.started.append(task)
            return state.cancelled
        }
        if cancelled { task.cancel() }
    }

    /// On an uncaught error, forward the request to the origin instead of answering 500. A local
    /// runtime has no origin: the error is answered as usual, and this only records the wish.
    public func passThroughOnException() {
        passThrough.store(true, ordering: .relaxed)
    }

    /// Whether ``passThroughOnException()`` was called.
    public var passesThroughOnException: Bool {
        passThrough.load(ordering: .relaxed)
    }

    /// Waits for every ``waitUntil(_:)`` task, including ones those tasks added.
    package func waitForBackgroundWork() async {
        while true {
            let tasks = background.withLock { state -> [Task<Void, Never>] in
                defer { state.pending.removeAll() }
                return state.pending
            }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }

    /// Waits for every ``waitUntil(_:)`` task, at most `limit`; past it, cancels them (the
    /// platform stops `waitUntil` work 30 seconds after the response) and returns.
    /// - Returns: true when the work finished within `limit`.
    package func waitForBackgroundWork(atMost limit: Duration) async -> Bool {
        if await awaitAtMost(limit, { await self.waitForBackgroundWork() }) { return true }
        cancelBackgroundWork()
        return false
    }

    /// Cancels every ``waitUntil(_:)`` task, and any started later (cooperatively: a task that
    /// never looks at cancellation goes on running, unawaited).
    package func cancelBackgroundWork() {
        let tasks = background.withLock { state -> [Task<Void, Never>] in
            state.cancelled = true
            return state.started
        }
        for task in tasks { task.cancel() }
    }

    /// Whether background work is still registered.
    package var hasBackgroundWork: Bool {
        background.withLock { !$0.pending.isEmpty }
    }
}
