/// Why a ``MetricsRegistry`` refused to register a metric family or to hand out a series.
///
/// Recording a value never fails (see ``Counter/add(_:)``); these refusals come at registration
/// and from `MetricFamily.labels(_:)`, and each message names the metric and what to change.
/// Cases are static members, so new ones can be added without breaking callers.
public struct MetricsError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case invalidMetricName
        case invalidLabelName
        case duplicateLabelName
        case duplicateMetricName
        case invalidBuckets
        case invalidMaxSeries
        case labelCount
    }

    private let code: Code
    /// What is wrong and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The metric name does not match `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func invalidMetricName(_ name: String) -> MetricsError {
        MetricsError(.invalidMetricName, "metric name \"\(name)\" is invalid: use letters, digits, _ and :, not starting with a digit")
    }

    /// A label name does not match `[a-zA-Z_][a-zA-Z0-9_]*`, starts with `__` (reserved for
    /// Prometheus), or is `le` on a histogram (the bucket label).
    public static func invalidLabelName(_ label: String, metric: String) -> MetricsError {
        MetricsError(
            .invalidLabelName,
            "label name \"\(label)\" of \(metric) is invalid: use letters, digits and _, not starting with a digit or __"
                + " (and not le on a histogram)"
        )
    }

    /// The same label name is listed twice.
    public static func duplicateLabelName(_ label: String, metric: String) -> MetricsError {
        MetricsError(.duplicateLabelName, "label name \"\(label)\" is listed twice for \(metric)")
    }

    /// The name, or one of the sample names it writes (a histogram's `_bucket`, `_sum`, `_count`),
    /// is already written by a family of this registry.
    public static func duplicateMetricName(_ name: String) -> MetricsError {
        MetricsError(.duplicateMetricName, "metric name \"\(name)\" is already registered in this registry")
    }

    /// The histogram's bucket bounds are not increasing, or one of them is NaN or -Inf.
    public static func invalidBuckets(_ buckets: [Double], metric: String) -> MetricsError {
        MetricsError(
            .invalidBuckets,
            "buckets \(buckets) of \(metric) are invalid: give strictly increasing finite upper bounds (+Inf is added)"
        )
    }

    /// The series cap is below 1.
    public static func invalidMaxSeries(_ maxSeries: Int, metric: String) -> MetricsError {
        MetricsError(.invalidMaxSeries, "maxSeries \(maxSeries) of \(metric) is invalid: a family keeps at least 1 series")
    }

    /// `MetricFamily.labels(_:)` got a number of values other than the family's label names.
    public static func labelCount(_ count: Int, metric: String, labelNames: [String]) -> MetricsError {
        MetricsError(
            .labelCount,
            "\(metric) takes \(labelNames.count) label values (\(labelNames.joined(separator: ", "))), not \(count)"
        )
    }

    public var description: String { message }
}
