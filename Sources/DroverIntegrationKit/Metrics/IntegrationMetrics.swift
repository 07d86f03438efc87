/// The metrics every integration adapter records, registered on one ``MetricsRegistry``:
///
/// | family | type | labels |
/// |---|---|---|
/// | `integration_requests_total` | counter | `adapter_id`, `status` |
/// | `integration_request_duration_seconds` | histogram (``durationBuckets``) | `adapter_id` |
/// | `integration_errors_total` | counter | `adapter_id`, `error_type` |
/// | `integration_circuit_breaker_state` | gauge: 0 closed, 1 half-open, 2 open | `adapter_id` |
/// | `integration_retries_total` | counter | `adapter_id` |
///
/// ```swift
/// let metrics = try IntegrationMetrics()
/// metrics.recordRequest(adapterID: "shopify", status: "success", seconds: 0.42)
/// router.get("/metrics") { _, _, _ in metrics.registry.response() }
/// ```
///
/// Per process, like every registry (see ``MetricsRegistry``): a scrape reads this instance's
/// counts. Recording never throws; label values past a family's cap are folded into its
/// overflow series (see ``MetricFamily``).
public struct IntegrationMetrics: Sendable {
    /// The upper bounds of the request duration buckets, in seconds.
    public static let durationBuckets: [Double] = [0.1, 0.5, 1, 2, 5, 10, 30]

    /// The registry the families are registered on; render it to serve them.
    public let registry: MetricsRegistry
    /// `integration_requests_total{adapter_id,status}`: calls made to an upstream, by outcome.
    public let requests: MetricFamily<Counter>
    /// `integration_request_duration_seconds{adapter_id}`: how long each call took.
    public let requestDuration: MetricFamily<Histogram>
    /// `integration_errors_total{adapter_id,error_type}`: failed calls, by kind of failure.
    public let errors: MetricFamily<Counter>
    /// `integration_circuit_breaker_state{adapter_id}`: 0 closed, 1 half-open, 2 open.
    public let circuitBreakerState: MetricFamily<Gauge>
    /// `integration_retries_total{adapter_id}`: attempts made after a first one failed.
    public let retries: MetricFamily<Counter>

    /// Registers the five families on `registry`.
    /// - Parameters:
    ///   - registry: where to register; a new one by default.
    ///   - maxSeries: the most series each family keeps (see ``MetricFamily`` on cardinality).
    /// - Throws: ``MetricsError/duplicateMetricName(_:)`` when `registry` already has these names
    ///   (a second `IntegrationMetrics` on one registry); ``MetricsError/invalidMaxSeries(_:metric:)``.
    public init(registry: MetricsRegistry = MetricsRegistry(), maxSeries: Int = MetricsRegistry.defaultMaxSeries) throws(MetricsError) {
        self.registry = registry
        requests = try registry.counter(
            "integration_requests_total",
            help: "Calls made to an upstream by an integration adapter, by outcome.",
            labelNames: ["adapter_id", "status"],
            maxSeries: maxSeries
        )
        requestDuration = try registry.histogram(
            "integration_request_duration_seconds",
            help: "Time an integration adapter's call to its upstream took, in seconds.",
            labelNames: ["adapter_id"],
            buckets: Self.durationBuckets,
            maxSeries: maxSeries
        )
        errors = try registry.counter(
            "integration_errors_total",
            help: "Failed calls of an integration adapter, by kind of failure.",
            labelNames: ["adapter_id", "error_type"],
            maxSeries: maxSeries
        )
        circuitBreakerState = try registry.gauge(
            "integration_circuit_breaker_state",
            help: "State of an integration adapter's circuit breaker (0=closed, 1=half-open, 2=open).",
            labelNames: ["adapter_id"],
            maxSeries: maxSeries
        )
        retries = try registry.counter(
            "integration_retries_total",
            help: "Retry attempts of an integration adapter.",
            labelNames: ["adapter_id"],
            maxSeries: maxSeries
        )
    }

    /// Counts one call of `adapterID` with its outcome and observes its duration, together (a
    /// scrape sees both or neither).
    /// - Parameters:
    ///   - status: the outcome as the adapter names it (`success`, `failure`, an HTTP status).
    ///   - seconds: the call's duration, read on the adapter's `env.clock`.
    public func recordRequest(adapterID: String, status: String, seconds: Double) {
        // The label sets are hashed before the lock is taken.
        let (call, adapter): (LabelValues, LabelValues) = ([adapterID, status], [adapterID])
        registry.update { store in
            store.add(1, to: requests, labels: call)
            store.observe(seconds, in: requestDuration, labels: adapter)
        }
    }

    /// Counts one failed call of `adapterID`, by kind (`timeout`, `rate_limited`, `http_503`…).
    public func recordError(adapterID: String, type: String) {
        let labels: LabelValues = [adapterID, type]
        registry.update { $0.add(1, to: errors, labels: labels) }
    }

    /// Sets `adapterID`'s circuit breaker state: 0 closed, 1 half-open, 2 open.
    public func recordBreakerState(adapterID: String, value: Int) {
        let labels: LabelValues = [adapterID]
        registry.update { $0.set(Double(value), to: circuitBreakerState, labels: labels) }
    }

    /// Counts one retry attempt of `adapterID`.
    public func recordRetry(adapterID: String) {
        let labels: LabelValues = [adapterID]
        registry.update { $0.add(1, to: retries, labels: labels) }
    }
}
