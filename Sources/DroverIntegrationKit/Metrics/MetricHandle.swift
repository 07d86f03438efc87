/// What a ``Counter``, ``Gauge`` or ``Histogram`` holds: the registry whose lock guards its
/// series, where the series sits, and the label values it is kept under.
struct MetricHandle: Sendable {
    let registry: MetricsRegistry
    let id: MetricsStore.SeriesID
    let labelValues: [String]

    /// Runs `body` on the registry's store with its lock held.
    func withStore<Result>(_ body: (inout MetricsStore) -> Result) -> Result {
        registry.update(body)
    }
}
