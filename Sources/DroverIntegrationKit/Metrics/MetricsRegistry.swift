import Drover
import Synchronization

/// Counters, gauges and histograms, written in the Prometheus text exposition format 0.0.4 — what
/// a `GET /metrics` route answers and a Prometheus server scrapes.
///
/// ```swift
/// let registry = MetricsRegistry()
/// let jobs = try registry.counter("jobs_total", help: "Jobs run.", labelNames: ["queue"])
/// try jobs.labels("emails").inc()
/// router.get("/metrics") { _, _, _ in registry.response() }
/// ```
///
/// **Per process.** The values live in this process's memory: a scrape reads one instance, and
/// Prometheus adds instances up (`sum by (…)`). That is how the runtime's own
/// `/__drover/metrics` works, and the one exception to keeping cross-request state in a binding:
/// a metric is cheap to lose on a restart (a counter's reset is what `rate()` expects), costly to
/// write to storage on every request.
///
/// **Thread safety.** One `Mutex` guards every family; each update takes it once, and ``render()``
/// copies the values under it and writes the text after releasing it.
///
/// **Output** (``render()``): families in registration order, each with `# HELP` (backslash and
/// line feed escaped) and `# TYPE` once, even before it has a series; its series sorted by label
/// values (bytes of UTF-8, value by value), the overflow series last; labels in the family's
/// order, values escaped (`\\`, `\"`, `\n`); a histogram's series as cumulative `_bucket{le="…"}`
/// lines ending with `le="+Inf"`, then `_sum` and `_count`. Numbers as the client libraries write
/// them: `+Inf`, `-Inf`, `NaN`, whole numbers without a fraction or exponent (`3`, `1000000`),
/// other values in the shortest form that reads back exactly (`0.25`, `1e-05`). No timestamps.
public final class MetricsRegistry: Sendable {
    /// The `Content-Type` of ``render()``'s text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// The series a labelled family keeps unless told otherwise (see ``MetricFamily`` on cardinality).
    public static let defaultMaxSeries = 100
    /// The label value of every label of a family's overflow series.
    public static let overflowLabelValue = "(other)"
    /// The longest label value, in bytes of UTF-8, that gets a series of its own; longer ones are
    /// counted in the overflow series.
    public static let maxLabelValueBytes = 256
    /// The Prometheus client libraries' default histogram buckets, in seconds.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Every family and series, behind the registry's one lock (visible to `update`, which is
    /// inlined into the runtime's request path).
    @usableFromInline let store = Mutex(MetricsStore())

    /// An empty registry.
    public init() {}

    /// Registers an unlabelled counter, written as 0 until it counts.
    /// - Parameters:
    ///   - name: `[a-zA-Z_:][a-zA-Z0-9_:]*`; by convention ending in `_total`.
    ///   - help: the `# HELP` text.
    /// - Throws: ``MetricsError`` for an invalid name or one this registry already writes.
    public func counter(_ name: String, help: String) throws(MetricsError) -> Counter {
        Counter(handle: try register(name, help, .counter, labelNames: [], maxSeries: 1).handle)
    }

    /// Registers a counter family with these label names.
    /// - Parameters:
    ///   - labelNames: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`, written in this order.
    ///   - maxSeries: the most series the family keeps (see ``MetricFamily`` on cardinality).
    /// - Throws: ``MetricsError`` for an invalid or repeated name, or a `maxSeries` below 1.
    public func counter(
        _ name: String,
        help: String,
        labelNames: [String],
        maxSeries: Int = MetricsRegistry.defaultMaxSeries
    ) throws(MetricsError) -> MetricFamily<Counter> {
        try register(name, help, .counter, labelNames: labelNames, maxSeries: maxSeries).family(Counter.init(handle:))
    }

    /// Registers an unlabelled gauge, written as 0 until it is set.
    /// - Throws: ``MetricsError`` for an invalid name or one this registry already writes.
    public func gauge(_ name: String, help: String) throws(MetricsError) -> Gauge {
        Gauge(handle: try register(name, help, .gauge, labelNames: [], maxSeries: 1).handle)
    }

    /// Registers a gauge family with these label names (rules as for ``counter(_:help:labelNames:maxSeries:)``).
    /// - Throws: ``MetricsError`` for an invalid or repeated name, or a `maxSeries` below 1.
    public func gauge(
        _ name: String,
        help: String,
        labelNames: [String],
        maxSeries: Int = MetricsRegistry.defaultMaxSeries
    ) throws(MetricsError) -> MetricFamily<Gauge> {
        try register(name, help, .gauge, labelNames: labelNames, maxSeries: maxSeries).family(Gauge.init(handle:))
    }

    /// Registers an unlabelled histogram, written with every bucket at 0 until it observes.
    /// - Parameters:
    ///   - buckets: finite upper bounds, strictly increasing; the `+Inf` bucket is added (a
    ///     trailing `+Inf` given here is the same one). Empty keeps `+Inf` alone.
    /// - Throws: ``MetricsError`` for an invalid name, one this registry already writes (the
    ///   histogram writes `name`, `name_bucket`, `name_sum` and `name_count`), or invalid buckets.
    public func histogram(_ name: String, help: String, buckets: [Double] = MetricsRegistry.defaultBuckets) throws(MetricsError) -> Histogram {
        Histogram(handle: try register(name, help, .histogram, labelNames: [], buckets: buckets, maxSeries: 1).handle)
    }

    /// Registers a histogram family with these label names (`le` is the bucket label and cannot be
    /// one of them; other rules as for ``counter(_:help:labelNames:maxSeries:)``).
    /// - Throws: ``MetricsError`` for an invalid or repeated name, invalid buckets, or a
    ///   `maxSeries` below 1.
    public func histogram(
        _ name: String,
        help: String,
        labelNames: [String],
        buckets: [Double] = MetricsRegistry.defaultBuckets,
        maxSeries: Int = MetricsRegistry.defaultMaxSeries
    ) throws(MetricsError) -> MetricFamily<Histogram> {
        try register(name, help, .histogram, labelNames: labelNames, buckets: buckets, maxSeries: maxSeries).family(Histogram.init(handle:))
    }

    /// Every family in the text exposition format 0.0.4, as described on ``MetricsRegistry``.
    public func render() -> String {
        store.withLock { $0 }.render()
    }

    /// ``render()`` as a 200 response with ``contentType``: what a `GET /metrics` route answers.
    public func response() -> Response {
        Response(render(), headers: ["content-type": Self.contentType])
    }

    /// Runs `body` on the store with the lock held: several changes in one acquisition, seen
    /// together by a scrape. Keep `body` short; it must not call back into this registry.
    @inlinable @discardableResult
    package func update<Result>(_ body: (inout MetricsStore) -> Result) -> Result {
        store.withLock { body(&$0) }
    }

    /// A family just registered: where it sits, to make its handles from.
    private struct Registration {
        let registry: MetricsRegistry
        let name: String
        let labelNames: [String]
        let position: Int

        /// The handle of an unlabelled family's one series.
        var handle: MetricHandle {
            MetricHandle(registry: registry, id: MetricsStore.SeriesID(family: position, series: 0), labelValues: [])
        }

        func family<Metric>(_ makeMetric: @escaping @Sendable (MetricHandle) -> Metric) -> MetricFamily<Metric> {
            MetricFamily(name: name, labelNames: labelNames, registry: registry, position: position, makeMetric: makeMetric)
        }
    }

    private func register(
        _ name: String,
        _ help: String,
        _ kind: MetricsStore.Kind,
        labelNames: [String],
        buckets: [Double] = [],
        maxSeries: Int
    ) throws(MetricsError) -> Registration {
        let position = try store.withLock { (store) throws(MetricsError) -> Int in
            try store.register(name: name, help: help, kind: kind, labelNames: labelNames, buckets: buckets, maxSeries: maxSeries)
        }
        return Registration(registry: self, name: name, labelNames: labelNames, position: position)
    }
}
