/// A Durable Object namespace binding (`env.durableObjects("COUNTER")`): ids, and stubs that
/// reach the one instance of each id.
///
/// ```swift
/// let counters = try env.durableObjects("COUNTER")
/// let stub = counters.getByName(user)                          // the same object for the same name
/// let count = try await stub.call(Counter.self) { try $0.increment() }
/// let response = try await stub.fetch(request)                  // or send it a request
/// ```
public protocol DurableObjectNamespace: Sendable {
    /// The id derived from `name`: the same name gives the same id, every time.
    func idFromName(_ name: String) -> DurableObjectId

    /// The id whose ``DurableObjectId/toString()`` is `string`.
    /// - Throws: ``DurableObjectError`` with the platform's message when `string` is not 64 hex
    ///   digits or not an id of this namespace.
    func idFromString(_ string: String) throws -> DurableObjectId

    /// A new random id, never given out before.
    func newUniqueId() -> DurableObjectId

    /// The stub of the object `id`. (Like workerd, the namespace does not check that `id` is one of
    /// its own: `idFromString` does.)
    func get(_ id: DurableObjectId) -> DurableObjectStub
}

extension DurableObjectNamespace {
    /// The stub of the object named `name`: `get(idFromName(name))`.
    public func getByName(_ name: String) -> DurableObjectStub {
        get(idFromName(name))
    }
}

/// How a stub reaches its object: the runtime builds the instance (or finds the running one) and
/// delivers the event through its input gate.
package protocol DurableObjectHost: Sendable {
    /// Runs `event` on the instance of `id`.
    func deliver<R: Sendable>(to id: DurableObjectId, _ event: @escaping @Sendable (any DurableObject) async throws -> R) async throws -> R
}

/// A client of one Durable Object (`env.COUNTER.get(id)`): send it a request, or call its methods.
public struct DurableObjectStub: Sendable {
    /// The object's id.
    public let id: DurableObjectId
    private let host: any DurableObjectHost

    /// A stub of `id` reached through `host`.
    package init(id: DurableObjectId, host: any DurableObjectHost) {
        self.id = id
        self.host = host
    }

    /// The name the id was derived from, when it was.
    public var name: String? { id.name }

    /// Sends `request` to the object's ``DurableObject/fetch(_:)``.
    public func fetch(_ request: Request) async throws -> Response {
        try await host.deliver(to: id) { object in try await object.fetch(request) }
    }

    /// Calls a method of the object — the platform's RPC (`await stub.increment()`). `method` runs
    /// on the object's actor, so what it does with the object's state and storage is one step.
    ///
    /// ```swift
    /// let count = try await stub.call(Counter.self) { counter in try counter.increment() }
    /// ```
    /// - Throws: what `method` threw; ``DurableObjectError`` when the object is not an `Object`.
    public func call<Object: DurableObject, Result: Sendable>(
        _ type: Object.Type,
        _ method: @escaping @Sendable (isolated Object) async throws -> Result
    ) async throws -> Result {
        try await host.deliver(to: id) { object in
            guard let typed = object as? Object else {
                throw DurableObjectError("The Durable Object \(id) is a \(Swift.type(of: object)), not a \(Object.self).")
            }
            return try await method(typed)
        }
    }
}
