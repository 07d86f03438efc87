/// One histogram series: observations counted in buckets by upper bound, with their sum and
/// count (Prometheus `histogram`). From ``MetricsRegistry/histogram(_:help:buckets:)`` for an
/// unlabelled histogram, or `MetricFamily.labels(_:)` for one label set of a family.
///
/// A handle: copies observe into the same series, and any task may use it (the registry's lock
/// guards the counts).
public struct Histogram: Sendable {
    let handle: MetricHandle

    init(handle: MetricHandle) {
        self.handle = handle
    }

    /// The label values the series is kept under (see ``Counter/labelValues``).
    public var labelValues: [String] { handle.labelValues }

    /// Counts `value` in the first bucket whose upper bound is at least `value`, and adds it to
    /// the sum. A value above every bound, or NaN, counts in the `+Inf` bucket only; a NaN makes
    /// the sum NaN (as the Go client does).
    public func observe(_ value: Double) {
        handle.withStore { $0.observe(value, in: self) }
    }

    /// The number of observations so far.
    public var count: UInt64 {
        handle.withStore { $0.series(at: handle.id).count }
    }

    /// The sum of the observations so far.
    public var sum: Double {
        handle.withStore { $0.series(at: handle.id).value }
    }
}
