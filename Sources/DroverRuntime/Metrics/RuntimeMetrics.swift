import DroverIntegrationKit

/// Request and queue counters for `/__drover/metrics`, kept in a ``MetricsRegistry`` — the one
/// writer of the Prometheus text format in Drover, which escapes label values and formats numbers.
///
/// Per process, like every registry: one `drover dev` is one instance. Each labelled counter
/// keeps at most ``maxSeriesPerMetric`` series: past them, new values are counted under
/// `(other)` (``overflowLabel``), so the page stays small whatever values arrive.
package final class RuntimeMetrics: Sendable {
    /// The most series one labelled counter keeps, the `(other)` one included.
    package static let maxSeriesPerMetric = MetricsRegistry.defaultMaxSeries
    /// The label value that counts everything past ``maxSeriesPerMetric``.
    package static let overflowLabel = MetricsRegistry.overflowLabelValue

    /// Upper bounds, in seconds, of the request duration histogram's buckets.
    package static let durationBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// The registry the counters live in.
    package let registry = MetricsRegistry()
    private let requests: MetricFamily<Counter>
    private let requestDuration: Histogram
    private let handlerErrors: Counter
    private let queueBatches: MetricFamily<Counter>
    private let queueMessages: MetricFamily<Counter>
    private let scheduledRuns: MetricFamily<Counter>
    private let bindingOperations: MetricFamily<Counter>

    package init() {
        do {
            requests = try registry.counter(
                "drover_requests_total",
                help: "HTTP requests answered by the worker, by status.",
                labelNames: ["status"]
            )
            requestDuration = try registry.histogram(
                "drover_request_duration_seconds",
                help: "Time from request to response head.",
                buckets: Self.durationBuckets
            )
            handlerErrors = try registry.counter("drover_handler_errors_total", help: "Entry-point calls that threw.")
            queueBatches = try registry.counter(
                "drover_queue_batches_total",
                help: "Batches delivered to consumers.",
                labelNames: ["queue"]
            )
            // Two outcomes for each queue label `drover_queue_batches_total` keeps: never folded here.
            queueMessages = try registry.counter(
                "drover_queue_messages_total",
                help: "Delivered messages by outcome.",
                labelNames: ["queue", "outcome"],
                maxSeries: 2 * Self.maxSeriesPerMetric + 1
            )
            scheduledRuns = try registry.counter("drover_scheduled_runs_total", help: "Runs of cron triggers.", labelNames: ["cron"])
            bindingOperations = try registry.counter(
                "drover_binding_operations_total",
                help: "Calls the worker made on its bindings, by binding, type and operation.",
                labelNames: ["binding", "type", "operation"]
            )
        } catch {
            preconditionFailure("the runtime's metric names are valid and distinct: \(error)")
        }
    }

    /// Counts one answered request: one acquisition of the registry's lock; the status's series is
    /// found by its code (a slot), so a status's label is built and hashed only the first time.
    package func recordRequest(status: Int, seconds: Double) {
        registry.update { store in
            if (0..<MetricsStore.maxSlot).contains(status) {
                store.add(1, to: requests, slot: status) { [String(status)] }
            } else {
                store.add(1, to: requests, labels: [String(status)])
            }
            store.observe(seconds, in: requestDuration)
        }
    }

    /// Counts a handler that threw.
    package func recordHandlerError() {
        handlerErrors.inc()
    }

    /// Counts one delivered batch and its outcome. A queue past the cap of
    /// `drover_queue_batches_total` is counted under `(other)` in both counters.
    package func recordBatch(queue: String, acked: Int, retried: Int) {
        registry.update { store in
            let batches = store.add(1, to: queueBatches, labels: [queue])
            let queue = store.labelValues(of: batches)[0]
            store.add(Double(acked), to: queueMessages, labels: [queue, "ack"])
            store.add(Double(retried), to: queueMessages, labels: [queue, "retry"])
        }
    }

    /// The counter of `operation` on the binding `binding` of `type` (`kv`, `d1`, `queue`), resolved
    /// once so that each call adds to it without building labels; nil past the series cap.
    package func bindingCounter(binding: String, type: String, operation: String) -> Counter? {
        try? bindingOperations.labels(binding, type, operation)
    }

    /// Counts one run of a cron trigger.
    package func recordScheduled(cron: String) {
        registry.update { store in
            store.add(1, to: scheduledRuns, labels: [cron])
        }
    }

    /// `value` as a label value of the text format (backslash, double quote and line feed escaped),
    /// as the registry writes it.
    package static func escapeLabelValue(_ value: String) -> String {
        PrometheusText.escapeLabelValue(value)
    }

    /// The Prometheus text exposition of every counter.
    package func render() -> String {
        registry.render()
    }
}
