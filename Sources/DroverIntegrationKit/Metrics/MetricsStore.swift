/// Every family and series of one ``MetricsRegistry``: the state its one lock guards.
///
/// Drover's own modules reach it through `MetricsRegistry.update(_:)` to make several changes
/// under one acquisition of the lock (the runtime counts a request and observes its duration so);
/// everyone else goes through the handles (``Counter``, ``Gauge``, ``Histogram``), which lock once
/// per call.
@usableFromInline
package struct MetricsStore: Sendable {
    /// A family's `# TYPE`.
    enum Kind: String, Sendable {
        case counter
        case gauge
        case histogram
    }

    /// Where a series sits: its family's and its own position, both stable for the registry's life
    /// (families and series are only ever appended).
    package struct SeriesID: Sendable, Hashable {
        let family: Int
        let series: Int
    }

    /// One metric family: its description and its series.
    struct Family: Sendable {
        let name: String
        let help: String
        let kind: Kind
        let labelNames: [String]
        /// A histogram's finite upper bounds, increasing (`+Inf` is implied); empty otherwise.
        let upperBounds: [Double]
        let maxSeries: Int
        var index: [LabelValues: Int] = [:]
        var series: [Series] = []
        /// Whether the overflow series was made by folding (it then takes no room of its own).
        var hasFoldedSeries = false
        /// Series positions by the slot a caller keeps for a label set (see
        /// ``MetricsStore/add(_:to:slot:labels:)``); -1 for a slot not yet seen.
        var slots: [Int] = []

        // The lookups and updates are the family's own mutating methods, so that the store
        // reaches a family in place (`families[i].method()`) instead of copying it out of the
        // array on every read: the request path of the runtime goes through here.

        /// The position of the series for `labels` (as many as the label names), made if new.
        ///
        /// At most `maxSeries` series: up to `maxSeries - 1` label sets get their own; after
        /// that, and for any value longer than ``MetricsRegistry/maxLabelValueBytes``, the label
        /// set is counted in the overflow series, whose every value is
        /// ``MetricsRegistry/overflowLabelValue``.
        mutating func seriesPosition(_ labels: LabelValues) -> Int {
            if let position = index[labels] { return position }
            let ownSeries = series.count - (hasFoldedSeries ? 1 : 0)
            if ownSeries < maxSeries - 1, labels.values.allSatisfy({ $0.utf8.count <= MetricsRegistry.maxLabelValueBytes }) {
                return append(labels)
            }
            let overflow = LabelValues(Array(repeating: MetricsRegistry.overflowLabelValue, count: labels.values.count))
            if let position = index[overflow] { return position }
            hasFoldedSeries = true
            return append(overflow)
        }

        /// The position of the series for the label set `slot` stands for: found by index once
        /// `labels` has been looked up for that slot.
        mutating func seriesPosition(slot: Int, labels: () -> LabelValues) -> Int {
            if slot < slots.count, slots[slot] >= 0 { return slots[slot] }
            let position = seriesPosition(labels())
            if slot >= slots.count { slots += Array(repeating: -1, count: slot + 1 - slots.count) }
            slots[slot] = position
            return position
        }

        private mutating func append(_ labels: LabelValues) -> Int {
            series.append(Series(labelValues: labels.values, bucketCounts: Array(repeating: 0, count: upperBounds.count)))
            index[labels] = series.count - 1
            return series.count - 1
        }

        /// Counts one observation in the histogram series at `position`: in the first bucket
        /// whose bound is at least `value` (none for a value above every bound, or NaN: those
        /// count in `+Inf` only), in its sum and its count.
        mutating func observe(_ value: Double, series position: Int) {
            if let bucket = upperBounds.firstIndex(where: { value <= $0 }) {
                series[position].bucketCounts[bucket] &+= 1
            }
            series[position].value += value
            series[position].count &+= 1
        }
    }

    /// One series: its label values and its numbers.
    struct Series: Sendable {
        let labelValues: [String]
        /// A counter's or gauge's value; a histogram's sum of observations.
        var value: Double = 0
        /// A histogram's number of observations.
        var count: UInt64 = 0
        /// A histogram's observations per upper bound, each counted once (not cumulative); the
        /// ones above every bound are `count` minus their total.
        var bucketCounts: [UInt64]
    }

    private(set) var families: [Family] = []
    /// Every sample name some family writes, so no two families write the same lines.
    private var sampleNames: Set<String> = []

    /// Adds a family; an unlabelled one gets its one series at once, so it is written as 0 from
    /// the start.
    /// - Returns: the family's position.
    /// - Throws: ``MetricsError`` when a name, the buckets or the cap are refused.
    mutating func register(
        name: String,
        help: String,
        kind: Kind,
        labelNames: [String],
        buckets: [Double] = [],
        maxSeries: Int
    ) throws(MetricsError) -> Int {
        guard PrometheusText.isValidMetricName(name) else { throw .invalidMetricName(name) }
        var seen: Set<String> = []
        for label in labelNames {
            guard PrometheusText.isValidLabelName(label), !(kind == .histogram && label == "le") else {
                throw .invalidLabelName(label, metric: name)
            }
            guard seen.insert(label).inserted else { throw .duplicateLabelName(label, metric: name) }
        }
        let upperBounds = buckets.last == .infinity ? Array(buckets.dropLast()) : buckets
        guard upperBounds.allSatisfy(\.isFinite), zip(upperBounds, upperBounds.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidBuckets(buckets, metric: name)
        }
        guard maxSeries >= 1 else { throw .invalidMaxSeries(maxSeries, metric: name) }
        let written = kind == .histogram ? [name, name + "_bucket", name + "_sum", name + "_count"] : [name]
        if let taken = written.first(where: sampleNames.contains) { throw .duplicateMetricName(taken) }
        sampleNames.formUnion(written)
        families.append(
            Family(name: name, help: help, kind: kind, labelNames: labelNames, upperBounds: upperBounds, maxSeries: maxSeries)
        )
        if labelNames.isEmpty { _ = seriesID(family: families.count - 1, labels: []) }
        return families.count - 1
    }

    /// The series of the family at `position` for `labels`, made if new (see
    /// ``Family/seriesPosition(_:)``).
    mutating func seriesID(family position: Int, labels: LabelValues) -> SeriesID {
        SeriesID(family: position, series: families[position].seriesPosition(labels))
    }

    /// Adds `amount` to a counter's or gauge's value.
    mutating func add(_ amount: Double, at id: SeriesID) {
        families[id.family].series[id.series].value += amount
    }

    /// Sets a gauge's value.
    mutating func set(_ value: Double, at id: SeriesID) {
        families[id.family].series[id.series].value = value
    }

    /// Counts one observation in a histogram (see ``Family/observe(_:series:)``).
    mutating func observe(_ value: Double, at id: SeriesID) {
        families[id.family].observe(value, series: id.series)
    }

    /// The series at `id`.
    func series(at id: SeriesID) -> Series {
        families[id.family].series[id.series]
    }
}

extension MetricsStore {
    /// Adds `amount` to the series of `family` for `labels`, made if new (folded past the cap as
    /// `MetricFamily.labels(_:)` folds it). A negative or NaN amount is ignored, as by
    /// ``Counter/add(_:)``.
    /// - Returns: the series (``labelValues(of:)`` tells whether it is the overflow series).
    /// - Precondition: `labels` has one value per label name of `family`, and `family` belongs to
    ///   the registry whose store this is (Drover's modules pass their own families).
    @discardableResult
    package mutating func add(_ amount: Double, to family: MetricFamily<Counter>, labels: LabelValues) -> SeriesID {
        let id = seriesID(of: family, labels)
        if amount >= 0 { add(amount, at: id) }
        return id
    }

    /// Adds `amount` to the series of `family` for the label set that `slot` stands for, found by
    /// index without hashing once `labels` has been looked up for the slot: for a caller that
    /// records a few label sets over and over (the runtime's HTTP statuses, their code as the
    /// slot). `labels` is called only the first time a slot is seen, so the caller builds its
    /// strings once per label set. A negative or NaN amount is ignored.
    /// - Precondition: `slot` is in `0..<MetricsStore.maxSlot`, and the caller always gives the
    ///   same label set with the same slot; other preconditions as for ``add(_:to:labels:)``.
    package mutating func add(_ amount: Double, to family: MetricFamily<Counter>, slot: Int, labels: () -> LabelValues) {
        precondition((0..<Self.maxSlot).contains(slot), "slot \(slot) is outside 0..<\(Self.maxSlot)")
        let series = families[family.position].seriesPosition(slot: slot) {
            let labels = labels()
            precondition(labels.values.count == family.labelNames.count, "\(family.name) takes \(family.labelNames.count) label values")
            return labels
        }
        if amount >= 0 { add(amount, at: SeriesID(family: family.position, series: series)) }
    }

    /// The bound on the slots of ``add(_:to:slot:labels:)``, which keeps a family's slot table small.
    package static let maxSlot = 1_000

    /// Sets the series of `family` for `labels` to `value` (preconditions as for
    /// ``add(_:to:labels:)``).
    package mutating func set(_ value: Double, to family: MetricFamily<Gauge>, labels: LabelValues) {
        set(value, at: seriesID(of: family, labels))
    }

    /// Observes `value` in the series of `family` for `labels` (preconditions as for
    /// ``add(_:to:labels:)``).
    package mutating func observe(_ value: Double, in family: MetricFamily<Histogram>, labels: LabelValues) {
        observe(value, at: seriesID(of: family, labels))
    }

    /// Observes `value` in `histogram`, as ``Histogram/observe(_:)`` does.
    package mutating func observe(_ value: Double, in histogram: Histogram) {
        observe(value, at: histogram.handle.id)
    }

    /// The label values the series at `id` is kept under: the ones it was asked for, or all
    /// ``MetricsRegistry/overflowLabelValue`` for a family's overflow series.
    package func labelValues(of id: SeriesID) -> [String] {
        families[id.family].series[id.series].labelValues
    }

    private mutating func seriesID<Metric>(of family: MetricFamily<Metric>, _ labels: LabelValues) -> SeriesID {
        precondition(labels.values.count == family.labelNames.count, "\(family.name) takes \(family.labelNames.count) label values")
        return seriesID(family: family.position, labels: labels)
    }
}
