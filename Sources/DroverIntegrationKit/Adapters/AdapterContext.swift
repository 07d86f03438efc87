import Drover
import Foundation

/// What an adapter's ``IntegrationAdapter/execute(_:context:)`` and
/// ``IntegrationAdapter/healthCheck(context:)`` call the upstream with. Made by an
/// ``AdapterClient`` for one adapter and one call.
///
/// ``fetch(_:)`` sends a request through the adapter's ``AdapterPolicies`` (bulkhead, timeout,
/// rate limit, circuit breaker, retry), adds the trace, and records the adapter's metrics:
///
/// | when | what |
/// |---|---|
/// | an attempt gets a response | `integration_requests_total{status="success"}` (below 400) or `{status="failure"}` and `integration_errors_total{error_type="http_<status>"}`; `integration_request_duration_seconds` |
/// | an attempt throws a ``FetchError`` | `status="failure"`, `error_type` = its kind (`timeout`, `connection`, `dns`, `invalid_url`, `other`) |
/// | an attempt passes its timeout | `status="failure"`, `error_type="timeout"` |
/// | the bulkhead, the bucket or the breaker refuses | `error_type` `bulkhead_full`, `rate_limited` or `circuit_open` (no request counted: none was made) |
/// | an attempt is retried | `integration_retries_total` |
/// | the breaker changes state | `integration_circuit_breaker_state` (0 closed, 1 half-open, 2 open) |
///
/// **Trace.** A request without a `traceparent` gets the invocation's (`ctx.trace.traceparent`,
/// and its `tracestate`), so the upstream's logs join the trace of the request that caused the
/// call; one that has its own keeps it.
///
/// **Body.** The request's body is read into memory once, so that every attempt sends the same
/// bytes.
public struct AdapterContext: Sendable {
    /// The adapter's id.
    public let adapterID: String
    /// The clock every policy reads and waits on (`env.clock`).
    public let clock: any WallClock
    /// The invocation's logger (`ctx.logger`).
    public let logger: Logger
    /// The invocation's trace, forwarded on every request; nil outside one.
    public let trace: TraceContext?

    let policies: AdapterPolicies
    let fetcher: any Fetcher
    let state: any KitStateStore
    let metrics: IntegrationMetrics
    let bulkhead: Bulkhead?
    let random: any RandomNumberGenerator & Sendable
    /// A health probe: the trace and the health check's timeout only.
    let isProbe: Bool

    /// Sends `request` to the upstream through the adapter's policies (see the type's
    /// documentation for the metrics and the trace).
    /// - Returns: the response — any status: a 404 is an answer for ``IntegrationAdapter/transform(_:)``
    ///   to judge; a retryable status (429, 5xx) that survives every retry is returned as well.
    /// - Throws: ``ResilienceError`` (`circuitOpen`, `timedOut`, `bulkheadFull`), ``RateLimitError``,
    ///   ``FetchError``, `CancellationError`; the request body's own error when it cannot be read.
    public func fetch(_ request: Request) async throws -> Response {
        var request = request
        if request.headers["traceparent"] == nil, let trace {
            request.headers.set("traceparent", trace.traceparent)
            if let state = trace.traceState, request.headers["tracestate"] == nil { request.headers.set("tracestate", state) }
        }
        let body = try await request.body.bytes()
        if isProbe {
            let probe = Attempt(request: request, body: body)
            return try await withTimeout(policies.healthCheckTimeout, clock: clock, name: "\(adapterID) health check") {
                try await fetcher.fetch(probe.request, timeout: nil)
            }
        }
        var generator = random
        let adapterID = adapterID
        let metrics = metrics
        let logger = logger
        return try await policies.retry.run(clock: clock, using: &generator, onAttempt: { attempt in
            guard case .retrying(let delay) = attempt.decision else { return }
            metrics.recordRetry(adapterID: adapterID)
            let outcome = attempt.status.map { "answered \($0)" } ?? "failed"
            logger.info("adapter \(adapterID): attempt \(attempt.number) \(outcome); retrying in \(delay)")
        }) {
            try await guarded(Attempt(request: request, body: body))
        }
    }

    /// One attempt's request, its body already in memory.
    private struct Attempt: Sendable {
        let request: Request

        init(request: Request, body: [UInt8]) {
            var request = request
            request.body = Body(bytes: body)
            self.request = request
        }
    }

    // MARK: - The layers, from the retry inwards

    /// The circuit breaker around one attempt.
    private func guarded(_ attempt: Attempt) async throws -> Response {
        guard let configuration = policies.circuitBreaker else { return try await limited(attempt) }
        let breaker = circuitBreaker(configuration)
        do {
            return try await breaker.run { try await limited(attempt) }
        } catch let error as ResilienceError where error.code == .circuitOpen && error.policy == breaker.name {
            metrics.recordError(adapterID: adapterID, type: "circuit_open")
            throw error
        }
    }

    /// The breaker of this adapter, in the client's state store; its transitions set the gauge.
    func circuitBreaker(_ configuration: CircuitBreakerConfiguration) -> CircuitBreaker {
        let (metrics, adapterID) = (metrics, adapterID)
        return CircuitBreaker(name: adapterID, configuration: configuration, store: state, clock: clock, logger: logger) { transition in
            metrics.recordBreakerState(adapterID: adapterID, value: transition.to.gaugeValue)
        }
    }

    /// The rate limit around one attempt: a token before it, the upstream's feedback after it.
    private func limited(_ attempt: Attempt) async throws -> Response {
        guard let limit = policies.rateLimit else { return try await timed(attempt) }
        do {
            switch limit.kind {
            case .tokenBucket:
                try await tokenBucket(limit).acquire(adapterID, policy: limit.policy)
            case .leakyBucket:
                try await leakyBucket(limit).acquire(adapterID, policy: limit.policy)
            }
        } catch let error as RateLimitError where error.code == .limited {
            metrics.recordError(adapterID: adapterID, type: "rate_limited")
            throw error
        }
        let response = try await timed(attempt)
        if limit.followsUpstreamFeedback {
            do {
                switch limit.kind {
                case .tokenBucket: try await tokenBucket(limit).update(adapterID, from: response.headers)
                case .leakyBucket: try await leakyBucket(limit).update(adapterID, from: response.headers)
                }
            } catch {
                // The answer is here; a bucket that could not be updated must not lose it.
                logger.warning("adapter \(adapterID): the rate limit could not follow the upstream's headers: \(error)")
            }
        }
        return response
    }

    private func tokenBucket(_ limit: AdapterRateLimit) throws -> TokenBucket {
        try TokenBucket(store: state, clock: clock, capacity: limit.capacity, refillPerSecond: limit.ratePerSecond)
    }

    private func leakyBucket(_ limit: AdapterRateLimit) throws -> LeakyBucket {
        try LeakyBucket(store: state, clock: clock, capacity: limit.capacity, leakPerSecond: limit.ratePerSecond)
    }

    /// The timeout around one attempt.
    private func timed(_ attempt: Attempt) async throws -> Response {
        guard let timeout = policies.timeout else { return try await isolated(attempt) }
        let started = clock.now()
        do {
            return try await withTimeout(timeout, clock: clock, name: adapterID) { try await isolated(attempt) }
        } catch let error as ResilienceError where error.code == .timedOut && error.policy == adapterID {
            metrics.recordRequest(adapterID: adapterID, status: "failure", seconds: clock.now().timeIntervalSince(started))
            metrics.recordError(adapterID: adapterID, type: "timeout")
            throw error
        }
    }

    /// The bulkhead around one attempt.
    private func isolated(_ attempt: Attempt) async throws -> Response {
        guard let bulkhead else { return try await send(attempt) }
        do {
            return try await bulkhead.run(clock: clock) { try await send(attempt) }
        } catch let error as ResilienceError where error.code == .bulkheadFull && error.policy == bulkhead.name {
            metrics.recordError(adapterID: adapterID, type: "bulkhead_full")
            throw error
        }
    }

    /// The attempt itself, measured and counted.
    private func send(_ attempt: Attempt) async throws -> Response {
        let started = clock.now()
        do {
            let response = try await fetcher.fetch(attempt.request, timeout: nil)
            let seconds = clock.now().timeIntervalSince(started)
            if response.status < 400 {
                metrics.recordRequest(adapterID: adapterID, status: "success", seconds: seconds)
            } else {
                metrics.recordRequest(adapterID: adapterID, status: "failure", seconds: seconds)
                metrics.recordError(adapterID: adapterID, type: "http_\(response.status)")
            }
            return response
        } catch let error as FetchError {
            metrics.recordRequest(adapterID: adapterID, status: "failure", seconds: clock.now().timeIntervalSince(started))
            metrics.recordError(adapterID: adapterID, type: error.kind == .invalidURL ? "invalid_url" : error.kind.rawValue)
            throw error
        }
    }
}
