/// A Durable Object class: one instance per id, single-threaded, with storage of its own
/// (`export class Counter extends DurableObject` in a worker).
///
/// An object is an actor, so its methods run one at a time; its storage is synchronous, so a
/// read-modify-write with no `await` in between cannot interleave with another request — the
/// guarantee the platform's input gates give:
///
/// ```swift
/// actor Counter: DurableObject {
///     let ctx: DurableObjectState
///     init(ctx: DurableObjectState, env: Env) { self.ctx = ctx }
///
///     func increment() throws -> Int64 {
///         let count = (try ctx.storage.get("count")?.integerValue ?? 0) + 1
///         try ctx.storage.put("count", .integer(count))
///         return count
///     }
///
///     func fetch(_ request: Request) async throws -> Response {
///         .json(["count": try increment()])
///     }
/// }
///
/// // In the worker: the stub calls the object's methods (the platform's RPC) or its fetch.
/// let count = try await env.durableObjects("COUNTER").getByName("alice").call(Counter.self) { try $0.increment() }
/// ```
///
/// Register the class beside the worker (`registry.register(durableObject: "Counter", Counter.self)`),
/// bind it in the config (`[[durable_objects.bindings]] name = "COUNTER", class_name = "Counter"`)
/// and create it with a migration (`[[migrations]] tag = "v1", new_sqlite_classes = ["Counter"]`).
///
/// An `await` (an outbound `fetch`, another object, `clock.sleep`; the storage needs none) lets
/// the object's other requests run meanwhile, as it does on the platform; to hold them off, wrap
/// the work in ``DurableObjectState/blockConcurrencyWhile(_:)``. An idle object is evicted and
/// built again from its storage by the next request, so keep what must last in the storage.
public protocol DurableObject: Actor {
    /// Builds the object for the id `ctx.id`, before any event reaches it. Read what you need from
    /// `ctx.storage` here (it is synchronous); for asynchronous setup, start it with
    /// ``DurableObjectState/blockConcurrencyWhile(_:)-(()->Void)`` here: events wait until it ends,
    /// as a constructor's `blockConcurrencyWhile` makes them wait on the platform.
    /// - Throws: the event that asked for the object fails with this error; the next one tries
    ///   again.
    init(ctx: DurableObjectState, env: Env) throws

    /// Answers a request sent with the stub's `fetch`. The default throws
    /// ``WorkerError/handlerMissing(_:)``.
    func fetch(_ request: Request) async throws -> Response

    /// Runs when the alarm set with ``DurableObjectStorage/setAlarm(_:)`` falls due. While it runs,
    /// `getAlarm()` answers `nil`. The default throws ``WorkerError/handlerMissing(_:)``.
    /// - Throws: the alarm is retried, as on the platform, up to six times, the first 2 s later and
    ///   each wait twice the one before (without the platform's random jitter, so that replay is
    ///   deterministic); not when the handler set or deleted the alarm itself.
    func alarm(_ info: AlarmInvocationInfo) async throws
}

extension DurableObject {
    public func fetch(_ request: Request) async throws -> Response {
        throw WorkerError.handlerMissing("fetch")
    }

    public func alarm(_ info: AlarmInvocationInfo) async throws {
        throw WorkerError.handlerMissing("alarm")
    }
}

/// What an `alarm()` call is told about itself (the platform's `alarmInfo`).
public struct AlarmInvocationInfo: Sendable, Hashable {
    /// How many times this alarm ran before and threw: 0 on the first run.
    public var retryCount: Int
    /// Whether this run is a retry (`retryCount > 0`).
    public var isRetry: Bool { retryCount > 0 }
    /// When the alarm was set for, in milliseconds since the Unix epoch (for a retry: when the
    /// retry was due).
    public var scheduledTime: Int64

    /// Info for the run, due at `scheduledTime`, after `retryCount` failed ones.
    public init(retryCount: Int, scheduledTime: Int64) {
        self.retryCount = retryCount
        self.scheduledTime = scheduledTime
    }
}
