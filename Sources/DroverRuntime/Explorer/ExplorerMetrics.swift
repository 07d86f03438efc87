import Drover
import Foundation

/// The runtime's metrics as the dashboard charts them, read from the one Prometheus text the
/// runtime writes (`/__drover/metrics`): requests by status class, latency percentiles from the
/// duration histogram, handler errors, queue outcomes per queue, cron runs per trigger.
enum ExplorerMetrics {
    /// One sample line: `name{label="value",…} number`.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static func snapshot(_ text: String) -> JSONValue {
        let samples = text.split(separator: "\n").compactMap(parse)
        func values(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

        var classes: JSONObject = ["2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0]
        var total = 0.0
        for sample in values("drover_requests_total") {
            total += sample.value
            let key = String((sample.labels["status"] ?? "").prefix(1)) + "xx"
            classes[key] = .double((classes[key]?.doubleValue ?? 0) + sample.value)
        }
        let buckets = values("drover_request_duration_seconds_bucket").compactMap { sample -> (Double, Double)? in
            guard let bound = sample.labels["le"] else { return nil }
            return (bound == "+Inf" ? .infinity : Double(bound) ?? .infinity, sample.value)
        }.sorted { $0.0 < $1.0 }
        var latency: JSONObject = [:]
        for (name, quantile) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            latency[name] = percentile(quantile, buckets).map { .double($0) } ?? .null
        }
        latency["buckets"] = .array(buckets.map { ["le": $0.0.isFinite ? .double($0.0) : "+Inf", "count": .double($0.1)] })

        var queues: [String: JSONObject] = [:]
        for sample in values("drover_queue_batches_total") {
            guard let queue = sample.labels["queue"] else { continue }
            queues[queue, default: [:]]["batches"] = .double(sample.value)
        }
        for sample in values("drover_queue_messages_total") {
            guard let queue = sample.labels["queue"], let outcome = sample.labels["outcome"] else { continue }
            queues[queue, default: [:]][outcome] = .double(sample.value)
        }
        var bindings: [String: JSONObject] = [:]
        for sample in values("drover_binding_operations_total") {
            guard let binding = sample.labels["binding"], let operation = sample.labels["operation"] else { continue }
            bindings[binding, default: ["type": .string(sample.labels["type"] ?? "")]][operation] = .double(sample.value)
        }
        var crons: JSONObject = [:]
        for sample in values("drover_scheduled_runs_total") { crons[sample.labels["cron"] ?? ""] = .double(sample.value) }

        return [
            "requests_total": .double(total), "status_classes": .object(classes),
            "handler_errors_total": .double(values("drover_handler_errors_total").first?.value ?? 0),
            "latency_seconds": .object(latency),
            "queues": .object(JSONObject(queues.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.object($0.value)) })),
            "scheduled_runs": .object(crons),
            "bindings": .object(JSONObject(bindings.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.object($0.value)) })),
        ]
    }

    /// The `quantile` of a cumulative histogram, interpolated within its bucket as Prometheus's
    /// `histogram_quantile` does; nil with no observations.
    static func percentile(_ quantile: Double, _ buckets: [(bound: Double, count: Double)]) -> Double? {
        guard let total = buckets.last?.count, total > 0 else { return nil }
        let rank = quantile * total
        var previous = (bound: 0.0, count: 0.0)
        for bucket in buckets {
            if bucket.count >= rank {
                guard bucket.bound.isFinite else { return previous.bound }
                let inBucket = bucket.count - previous.count
                guard inBucket > 0 else { return bucket.bound }
                return previous.bound + (bucket.bound - previous.bound) * (rank - previous.count) / inBucket
            }
            previous = bucket
        }
        return previous.bound
    }

    /// A sample line of the exposition format as the registry writes it; nil for comments.
    static func parse(_ line: Substring) -> Sample? {
        guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
        var labels: [String: String] = [:]
        var rest = series[series.index(after: brace)...].dropLast()  // without the closing brace
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ","))
            var index = rest.index(after: equals)
            guard index < rest.endIndex, rest[index] == "\"" else { break }
            index = rest.index(after: index)
            var text = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    text.append(rest[index] == "n" ? "\n" : rest[index])
                } else {
                    text.append(rest[index])
                }
                index = rest.index(after: index)
            }
            labels[name] = text
            rest = index < rest.endIndex ? rest[rest.index(after: index)...] : rest[rest.endIndex...]
        }
        return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }
}
