/// Workers by name, and Durable Object classes by class name. `main = "NAME"` in the config selects
/// the worker that serves; `class_name = "NAME"` in `[[durable_objects.bindings]]` a class.
///
/// A binary registers its workers at start and hands the registry to Drover's CLI entry point,
/// so a user's executable is a full `drover` with their workers inside.
public struct WorkerRegistry: Sendable {
    private var workers: [String: any Worker] = [:]
    private var classes: [String: any DurableObject.Type] = [:]

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

    /// Registers the Durable Object class `type` under `className`, the name the config's
    /// `class_name` and `[[migrations]]` use (the exported class's name on the platform).
    public mutating func register(durableObject className: String, _ type: any DurableObject.Type) {
        classes[className] = type
    }

    /// The Durable Object class registered as `className`.
    public func durableObjectClass(named className: String) -> (any DurableObject.Type)? {
        classes[className]
    }

    /// The registered Durable Object class names, sorted.
    public var durableObjectClassNames: [String] { classes.keys.sorted() }
}
