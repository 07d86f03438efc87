import Drover

/// A service binding: calls another registered worker's `fetch` in-process, with the calling
/// runtime's bindings (one config describes the whole local deployment).
///
/// The called worker runs in a new span of the caller's trace: the one its request's
/// `traceparent` names when valid, else the caller's own (``Drover/TraceContext/current``).
struct ServiceFetcher: Fetcher {
    let name: String
    let registry: WorkerRegistry
    let services: ServiceRegistry

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        let worker = try registry.require(name)
        guard let (env, logger, traceIDs) = services.get() else {
            // Unreachable once the runtime is open: its Env (holding this binding) is set right after it is built.
            throw WorkerError.bindingMissing(name, kind: "service", configFile: "a runtime that has not finished opening")
        }
        let caller =
            request.headers["traceparent"].flatMap { TraceContext(traceparent: $0, tracestate: request.headers["tracestate"]) }
            ?? TraceContext.current
        let trace = caller?.child(using: traceIDs) ?? .start(using: traceIDs)
        return try await TraceContext.$current.withValue(trace) {
            let context = ExecutionContext(logger: logger.withLabel(name), trace: trace)
            let response: Response
            do {
                response = try await worker.fetch(request, env: env, ctx: context)
            } catch let error as HTTPError {
                response = error.response
            }
            await context.waitForBackgroundWork()
            return response
        }
    }
}

/// The environment service bindings call with, set once the runtime's `Env` exists.
final class ServiceRegistry: Sendable {
    private let value = LockedValue<(Env, Logger, TraceIDGenerator)?>(nil)

    func set(env: Env, logger: Logger, traceIDs: TraceIDGenerator) {
        value.set((env, logger, traceIDs))
    }

    func get() -> (Env, Logger, TraceIDGenerator)? {
        value.get()
    }
}
