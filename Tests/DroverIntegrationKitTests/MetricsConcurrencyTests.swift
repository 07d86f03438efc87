import DroverIntegrationKit
import Testing

/// Many tasks recording at once lose nothing: the registry's lock makes every update whole.
@Suite("Metrics under concurrency")
struct MetricsConcurrencyTests {
    static let tasks = 64
    static let updatesPerTask = 2_000

    @Test("tasks incrementing, observing and scraping at once leave exact totals")
    func exactTotals() async throws {
        let registry = MetricsRegistry()
        let family = try registry.counter("work_total", help: "h", labelNames: ["worker"])
        let histogram = try registry.histogram("size", help: "h", buckets: [1, 2])
        let gauge = try registry.gauge("in_flight", help: "h")
        let metrics = try IntegrationMetrics()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<Self.tasks {
                group.addTask {
                    // Each task asks for its own handle, so series are made concurrently too.
                    let counter = try family.labels("w\(task % 8)")
                    for update in 0..<Self.updatesPerTask {
                        counter.inc()
                        histogram.observe(Double(update % 3))
                        gauge.inc()
                        gauge.dec()
                        metrics.recordRequest(adapterID: "a\(task % 4)", status: "success", seconds: 0.25)
                        if update % 500 == 0 { _ = registry.render() }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = Self.tasks * Self.updatesPerTask
        for worker in 0..<8 {
            #expect(try family.labels("w\(worker)").value == Double(total / 8))
        }
        let observed = (0..<Self.updatesPerTask).map { Double($0 % 3) }
        let atMostOne = observed.filter { $0 <= 1 }.count * Self.tasks
        let sum = Int(observed.reduce(0, +)) * Self.tasks
        #expect(histogram.count == UInt64(total))
        #expect(histogram.sum == Double(sum))
        #expect(gauge.value == 0)
        let text = registry.render()
        #expect(text.contains("size_bucket{le=\"1\"} \(atMostOne)\nsize_bucket{le=\"2\"} \(total)\nsize_bucket{le=\"+Inf\"} \(total)\n"))
        #expect(text.contains("size_sum \(sum)\nsize_count \(total)\n"))
        for adapter in 0..<4 {
            #expect(try metrics.requests.labels("a\(adapter)", "success").value == Double(total / 4))
            #expect(try metrics.requestDuration.labels("a\(adapter)").count == UInt64(total / 4))
        }
    }
}
