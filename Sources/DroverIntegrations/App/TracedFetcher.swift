import Drover

/// `env.fetch` with the invocation's trace added to every request that has none, for the calls the
/// app makes outside an adapter (the adapters forward it themselves): the upstream's logs then
/// join the trace of the request that caused the call.
struct TracedFetcher: Fetcher {
    let base: any Fetcher
    let trace: TraceContext

    init(_ env: Env, _ ctx: ExecutionContext) {
        base = env.fetch
        trace = ctx.trace
    }

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        var request = request
        if request.headers["traceparent"] == nil {
            request.headers.set("traceparent", trace.traceparent)
            if let state = trace.traceState, request.headers["tracestate"] == nil { request.headers.set("tracestate", state) }
        }
        return try await base.fetch(request, timeout: timeout)
    }
}
