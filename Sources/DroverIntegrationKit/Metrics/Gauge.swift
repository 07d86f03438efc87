/// One gauge series: a value that goes up and down, 0 when the series is made (Prometheus
/// `gauge`). From ``MetricsRegistry/gauge(_:help:)`` for an unlabelled gauge, or
/// `MetricFamily.labels(_:)` for one label set of a family.
///
/// A handle: copies change the same series, and any task may use it (the registry's lock guards
/// the value).
public struct Gauge: Sendable {
    let handle: MetricHandle

    init(handle: MetricHandle) {
        self.handle = handle
    }

    /// The label values the series is kept under (see ``Counter/labelValues``).
    public var labelValues: [String] { handle.labelValues }

    /// Sets the value.
    public func set(_ value: Double) {
        handle.withStore { $0.set(value, at: handle.id) }
    }

    /// Adds 1.
    public func inc() {
        add(1)
    }

    /// Subtracts 1.
    public func dec() {
        add(-1)
    }

    /// Adds `amount`, which may be negative.
    public func add(_ amount: Double) {
        handle.withStore { $0.add(amount, at: handle.id) }
    }

    /// The value now.
    public var value: Double {
        handle.withStore { $0.series(at: handle.id).value }
    }
}
