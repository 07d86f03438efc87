import Synchronization

/// The third argument of every entry point: background work, failure behaviour, and the logger.
///
/// Work given to ``waitUntil(_:)`` runs after the response has been sent; the runtime awaits it
/// before it shuts down, before a replay step ends, and before a queue batch counts as done.
public final class ExecutionContext: Sendable {
    /// The logger for this request or batch, with its request and trace ids as metadata.
    public let logger: Logger
    private let pending = Mutex<[Task<Void, Never>]>([])
    private let passThrough = Atomic<Bool>(false)

    /// Creates a context; the runtime does this.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Runs `work` in the background, past the response. An error it throws is logged, never
    /// delivered to the client.
    public func waitUntil(_ work: @escaping @Sendable () async throws -> Void) {
        let logger = self.logger
        let task = Task {
            do {
                try await work()
            } catch {
                logger.error("waitUntil task failed: \(error)")
            }
        }
        pending.withLock { $0.append(task) }
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
            let tasks = pending.withLock { tasks -> [Task<Void, Never>] in
                let taken = tasks
                tasks.removeAll()
                return taken
            }
            if tasks.isEmpty { return }
            for task in tasks { await task.value }
        }
    }

    /// Whether background work is still registered.
    package var hasBackgroundWork: Bool {
        pending.withLock { !$0.isEmpty }
    }
}
