import Synchronization

/// Request and queue counters for `/__drover/metrics` (Prometheus text format 0.0.4).
///
/// Label values are escaped as the format requires (`\\`, `\"`, `\n`), so no value can end its
/// label or start a line of its own, and each labelled counter keeps at most
/// ``maxSeriesPerMetric`` values: past them, new values are counted under `(other)`, so the page
/// stays small whatever values arrive.
package final class RuntimeMetrics: Sendable {
    /// The most label values one counter keeps.
    package static let maxSeriesPerMetric = 100
    /// The label value that counts everything past ``maxSeriesPerMetric``.
    package static let overflowLabel = "(other)"

    /// Upper bounds, in seconds, of the request duration histogram's buckets.
    package static let durationBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct State {
        var requestsByStatus: [Int: Int] = [:]
        var otherStatuses = 0
        var bucketCounts = [Int](repeating: 0, count: RuntimeMetrics.durationBuckets.count)
        var durationSum: Double = 0
        var durationCount = 0
        var handlerErrors = 0
        var queueBatches: [String: Int] = [:]
        var queueMessagesAcked: [String: Int] = [:]
        var queueMessagesRetried: [String: Int] = [:]
        var scheduledRuns: [String: Int] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    /// Counts one answered request.
    package func recordRequest(status: Int, seconds: Double) {
        state.withLock { state in
            if state.requestsByStatus[status] != nil || state.requestsByStatus.count < Self.maxSeriesPerMetric {
                state.requestsByStatus[status, default: 0] += 1
            } else {
                state.otherStatuses += 1
            }
            state.durationSum += seconds
            state.durationCount += 1
            if let bucket = Self.durationBuckets.firstIndex(where: { seconds <= $0 }) {
                state.bucketCounts[bucket] += 1
            }
        }
    }

    /// Counts a handler that threw.
    package func recordHandlerError() {
        state.withLock { $0.handlerErrors += 1 }
    }

    /// Counts one delivered batch and its outcome.
    package func recordBatch(queue: String, acked: Int, retried: Int) {
        state.withLock { state in
            let queue = Self.boundedLabel(queue, in: state.queueBatches)
            state.queueBatches[queue, default: 0] += 1
            state.queueMessagesAcked[queue, default: 0] += acked
            state.queueMessagesRetried[queue, default: 0] += retried
        }
    }

    /// Counts one run of a cron trigger.
    package func recordScheduled(cron: String) {
        state.withLock { state in
            state.scheduledRuns[Self.boundedLabel(cron, in: state.scheduledRuns), default: 0] += 1
        }
    }

    /// `value`, or the overflow label when `counters` already holds as many values as allowed.
    private static func boundedLabel(_ value: String, in counters: [String: Int]) -> String {
        counters[value] != nil || counters.count < maxSeriesPerMetric - 1 ? value : overflowLabel
    }

    /// `value` as a label value of the text format: backslash, double quote and line feed escaped
    /// (Prometheus exposition format, "Comments, help text, and type information" and label values).
    package static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return value }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// The Prometheus text exposition of every counter.
    package func render() -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP drover_requests_total HTTP requests answered by the worker, by status.\n"
        out += "# TYPE drover_requests_total counter\n"
        for status in snapshot.requestsByStatus.keys.sorted() {
            out += "drover_requests_total{status=\"\(status)\"} \(snapshot.requestsByStatus[status]!)\n"
        }
        if snapshot.otherStatuses > 0 {
            out += "drover_requests_total{status=\"\(Self.overflowLabel)\"} \(snapshot.otherStatuses)\n"
        }
        out += "# HELP drover_request_duration_seconds Time from request to response head.\n"
        out += "# TYPE drover_request_duration_seconds histogram\n"
        var cumulative = 0
        for (index, bound) in Self.durationBuckets.enumerated() {
            cumulative += snapshot.bucketCounts[index]
            out += "drover_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "drover_request_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.durationCount)\n"
        out += "drover_request_duration_seconds_sum \(snapshot.durationSum)\n"
        out += "drover_request_duration_seconds_count \(snapshot.durationCount)\n"
        out += "# HELP drover_handler_errors_total Entry-point calls that threw.\n"
        out += "# TYPE drover_handler_errors_total counter\n"
        out += "drover_handler_errors_total \(snapshot.handlerErrors)\n"
        out += "# HELP drover_queue_batches_total Batches delivered to consumers.\n"
        out += "# TYPE drover_queue_batches_total counter\n"
        for queue in snapshot.queueBatches.keys.sorted() {
            out += "drover_queue_batches_total{queue=\"\(Self.escapeLabelValue(queue))\"} \(snapshot.queueBatches[queue]!)\n"
        }
        out += "# HELP drover_queue_messages_total Delivered messages by outcome.\n"
        out += "# TYPE drover_queue_messages_total counter\n"
        for queue in snapshot.queueBatches.keys.sorted() {
            let label = Self.escapeLabelValue(queue)
            out += "drover_queue_messages_total{queue=\"\(label)\",outcome=\"ack\"} \(snapshot.queueMessagesAcked[queue] ?? 0)\n"
            out += "drover_queue_messages_total{queue=\"\(label)\",outcome=\"retry\"} \(snapshot.queueMessagesRetried[queue] ?? 0)\n"
        }
        out += "# HELP drover_scheduled_runs_total Runs of cron triggers.\n"
        out += "# TYPE drover_scheduled_runs_total counter\n"
        for cron in snapshot.scheduledRuns.keys.sorted() {
            out += "drover_scheduled_runs_total{cron=\"\(Self.escapeLabelValue(cron))\"} \(snapshot.scheduledRuns[cron]!)\n"
        }
        return out
    }
}
