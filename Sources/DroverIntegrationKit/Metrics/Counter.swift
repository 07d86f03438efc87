/// One counter series: a value that only goes up, from 0 when the series is made (Prometheus
/// `counter`). From ``MetricsRegistry/counter(_:help:)`` for an unlabelled counter, or
/// `MetricFamily.labels(_:)` for one label set of a family.
///
/// A handle: copies count into the same series, and any task may use it (the registry's lock
/// guards the value).
public struct Counter: Sendable {
    let handle: MetricHandle

    init(handle: MetricHandle) {
        self.handle = handle
    }

    /// The label values the series is kept under, in the family's label order: the ones asked
    /// for, or all ``MetricsRegistry/overflowLabelValue`` when the family was full and the
    /// series is its overflow series.
    public var labelValues: [String] { handle.labelValues }

    /// Adds 1.
    public func inc() {
        handle.withStore { $0.add(1, at: handle.id) }
    }

    /// Adds `amount`.
    ///
    /// A counter only goes up, and recording a value never fails the code that records it (the
    /// rule OpenTelemetry's API follows too): a negative or NaN `amount` is ignored.
    public func add(_ amount: Double) {
        guard amount >= 0 else { return }
        handle.withStore { $0.add(amount, at: handle.id) }
    }

    /// The value now.
    public var value: Double {
        handle.withStore { $0.series(at: handle.id).value }
    }
}
