/// Workers by name. `main = "NAME"` in the config selects the one that serves.
///
/// A binary registers its workers at start and hands the registry to Drover's CLI entry point,
/// so a user's executable is a full `drover` with their workers inside.
public struct WorkerRegistry: Sendable {
    private var workers: [String: any Worker] = [:]

    /// An empty registry.
    public init() {}

    /// Registers `worker` under `name`, replacing a worker of that name.
    public mutating func register(_ name: String, _ worker: any Worker) {
        workers[name] = worker
    }

    /// The worker registered as `name`.
    public func worker(named name: String) -> (any Worker)? {
        workers[name]
    }

    /// The worker registered as `name`.
    /// - Throws: ``WorkerError`` listing the registered names when there is none.
    public func require(_ name: String) throws -> any Worker {
        guard let worker = workers[name] else { throw WorkerError.workerNotRegistered(name, available: names) }
        return worker
    }

    /// The registered names, sorted.
    public var names: [String] { workers.keys.sorted() }
}
