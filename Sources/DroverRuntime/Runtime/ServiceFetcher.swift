import Drover

/// A service binding: calls another worker's `fetch` in-process.
///
/// In a `drover dev` session (``ServicePeers``) the binding reaches the worker of the session with
/// that name through its own host: with its own bindings, vars and secrets, as on the platform. A
/// name that is not in the session answers 503, saying how to start that worker too, as `wrangler
/// dev` does for a service it has no session for. Outside a session — fixture replay and
/// `TestClient`, which open one config — the registered worker of that name runs with the calling
/// runtime's bindings, since there is no config to give it its own.
///
/// The called worker runs in a new span of the caller's trace: the one its request's
/// `traceparent` names when valid, else the caller's own (``Drover/TraceContext/current``). Calls
/// nest at most ``maximumDepth`` deep (a worker bound to itself, or two bound to each other, would
/// otherwise recurse until the stack ran out); deeper, the call answers 508.
struct ServiceFetcher: Fetcher {
    let name: String
    let registry: WorkerRegistry
    let services: ServiceRegistry
    /// The session's workers; nil outside `drover dev`.
    let peers: ServicePeers?

    /// The platform's limit on Workers invoked in a chain of service binding calls.
    static let maximumDepth = 32

    /// How deep in a chain of service binding calls the current task is.
    @TaskLocal static var depth = 0

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        guard Self.depth < Self.maximumDepth else {
            return Response.error(
                "service binding \(name): more than \(Self.maximumDepth) service binding calls deep (a worker bound to itself?)", status: 508)
        }
        return try await Self.$depth.withValue(Self.depth + 1) {
            if let peers { return await callPeer(request, peers: peers) }
            return try await callRegistered(request)
        }
    }

    /// The session's worker of this name, through its own host.
    private func callPeer(_ request: Request, peers: ServicePeers) async -> Response {
        guard let host = peers.host(named: name) else {
            let running = peers.names.map { "\"\($0)\"" }.joined(separator: ", ")
            return Response.error(
                "service \"\(name)\" is not running in this dev session (running: \(running)); start its config too: "
                    + "drover dev -c <this config> -c <its config>",
                status: 503)
        }
        var request = request
        // The host continues a valid traceparent; without one, the call joins the caller's trace.
        if request.headers["traceparent"] == nil, let caller = TraceContext.current {
            request.headers.set("traceparent", caller.traceparent)
            if let state = caller.traceState { request.headers.set("tracestate", state) }
        }
        return await host.fetch(request)
    }

    /// The registered worker of this name, with the calling runtime's bindings.
    private func callRegistered(_ request: Request) async throws -> Response {
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
