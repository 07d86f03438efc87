/// A labelled metric family: one name, one `# HELP` and `# TYPE`, and a series per label set —
/// `MetricFamily<Counter>`, `MetricFamily<Gauge>` or `MetricFamily<Histogram>`, from the
/// registry's `counter`, `gauge` and `histogram` methods that take `labelNames`.
///
/// ```swift
/// let requests = try registry.counter("integration_requests_total", help: "Requests.", labelNames: ["adapter_id", "status"])
/// try requests.labels("shopify", "success").inc()
/// ```
///
/// **Cardinality.** A family keeps at most `maxSeries` series, so label values that come from
/// outside (a status, a queue name) cannot grow the registry without bound. The first
/// `maxSeries - 1` label sets get a series of their own; every later one, and any label set with
/// a value longer than ``MetricsRegistry/maxLabelValueBytes`` bytes of UTF-8, is counted in one
/// overflow series whose every label value is ``MetricsRegistry/overflowLabelValue`` —
/// folded, not refused, so recording never fails and totals stay right.
public struct MetricFamily<Metric: Sendable>: Sendable {
    /// The family's name, as in `# TYPE`.
    public let name: String
    /// The label names, in the order the values are given and written.
    public let labelNames: [String]
    let registry: MetricsRegistry
    let position: Int
    private let makeMetric: @Sendable (MetricHandle) -> Metric

    init(
        name: String,
        labelNames: [String],
        registry: MetricsRegistry,
        position: Int,
        makeMetric: @escaping @Sendable (MetricHandle) -> Metric
    ) {
        self.name = name
        self.labelNames = labelNames
        self.registry = registry
        self.position = position
        self.makeMetric = makeMetric
    }

    /// The series for these label values, one per label name in order; made (at 0) if new.
    /// - Throws: ``MetricsError/labelCount(_:metric:labelNames:)`` when the number of values is not
    ///   the number of label names.
    public func labels(_ values: String...) throws(MetricsError) -> Metric {
        try labels(values)
    }

    /// The series for these label values, one per label name in order; made (at 0) if new.
    /// - Throws: ``MetricsError/labelCount(_:metric:labelNames:)`` when the number of values is not
    ///   the number of label names.
    public func labels(_ values: [String]) throws(MetricsError) -> Metric {
        guard values.count == labelNames.count else { throw .labelCount(values.count, metric: name, labelNames: labelNames) }
        let labels = LabelValues(values)  // hashed before the lock is taken
        let (id, kept) = registry.update { store in
            let id = store.seriesID(family: position, labels: labels)
            return (id, store.labelValues(of: id))
        }
        return metric(id, kept)
    }

    /// The handle for the series at `id`, kept under `labelValues`.
    func metric(_ id: MetricsStore.SeriesID, _ labelValues: [String]) -> Metric {
        makeMetric(MetricHandle(registry: registry, id: id, labelValues: labelValues))
    }
}
