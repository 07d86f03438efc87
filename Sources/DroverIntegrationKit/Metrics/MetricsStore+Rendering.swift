extension MetricsStore {
    /// Every family in the text exposition format 0.0.4 (the layout is described on
    /// ``MetricsRegistry``).
    func render() -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(PrometheusText.escapeHelp(family.help))\n"
            out += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for series in Self.ordered(family.series) {
                let labels = zip(family.labelNames, series.labelValues).map { "\($0)=\"\(PrometheusText.escapeLabelValue($1))\"" }
                switch family.kind {
                case .counter, .gauge:
                    out += Self.sample(family.name, labels, PrometheusText.formatValue(series.value))
                case .histogram:
                    var cumulative: UInt64 = 0
                    for (bound, count) in zip(family.upperBounds, series.bucketCounts) {
                        cumulative &+= count
                        out += Self.sample(family.name + "_bucket", labels + ["le=\"\(PrometheusText.formatValue(bound))\""], String(cumulative))
                    }
                    out += Self.sample(family.name + "_bucket", labels + ["le=\"+Inf\""], String(series.count))
                    out += Self.sample(family.name + "_sum", labels, PrometheusText.formatValue(series.value))
                    out += Self.sample(family.name + "_count", labels, String(series.count))
                }
            }
        }
        return out
    }

    /// One sample line: `name{labels} value` (`name value` without labels).
    private static func sample(_ name: String, _ labels: [String], _ value: String) -> String {
        labels.isEmpty ? "\(name) \(value)\n" : "\(name){\(labels.joined(separator: ","))} \(value)\n"
    }

    /// `series` sorted by label values, compared value by value as bytes of UTF-8 (so the order
    /// does not depend on the order they were first seen), with the overflow series last.
    private static func ordered(_ series: [Series]) -> [Series] {
        func isOverflow(_ series: Series) -> Bool {
            !series.labelValues.isEmpty && series.labelValues.allSatisfy { $0 == MetricsRegistry.overflowLabelValue }
        }
        return series.sorted { left, right in
            let (leftOverflow, rightOverflow) = (isOverflow(left), isOverflow(right))
            if leftOverflow != rightOverflow { return rightOverflow }
            return left.labelValues.lexicographicallyPrecedes(right.labelValues) { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
    }
}
