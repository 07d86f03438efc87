import DroverRuntime
import Testing

/// `/__drover/metrics` as a whole page: the runtime's names, labels and values, written by the
/// integration kit's registry.
@Suite struct RuntimeMetricsTests {
    @Test("the page, byte for byte, after requests, an error, batches, cron runs and binding calls")
    func wholePage() {
        let metrics = RuntimeMetrics()
        metrics.recordRequest(status: 200, seconds: 0.002)
        metrics.recordRequest(status: 404, seconds: 0.5)
        metrics.recordRequest(status: 200, seconds: 12)
        metrics.recordRequest(status: 1_042, seconds: 0.001)
        metrics.recordHandlerError()
        metrics.recordBatch(queue: "jobs", acked: 3, retried: 1)
        metrics.recordBatch(queue: "jobs-dlq", acked: 1, retried: 0)
        metrics.recordScheduled(cron: "*/5 * * * *")
        let kvGets = metrics.bindingCounter(binding: "KV", type: "kv", operation: "get")
        kvGets?.inc()
        kvGets?.inc()
        metrics.bindingCounter(binding: "DB", type: "d1", operation: "query")?.inc()
        #expect(
            metrics.render() == """
                # HELP drover_requests_total HTTP requests answered by the worker, by status.
                # TYPE drover_requests_total counter
                drover_requests_total{status="1042"} 1
                drover_requests_total{status="200"} 2
                drover_requests_total{status="404"} 1
                # HELP drover_request_duration_seconds Time from request to response head.
                # TYPE drover_request_duration_seconds histogram
                drover_request_duration_seconds_bucket{le="0.001"} 1
                drover_request_duration_seconds_bucket{le="0.0025"} 2
                drover_request_duration_seconds_bucket{le="0.005"} 2
                drover_request_duration_seconds_bucket{le="0.01"} 2
                drover_request_duration_seconds_bucket{le="0.025"} 2
                drover_request_duration_seconds_bucket{le="0.05"} 2
                drover_request_duration_seconds_bucket{le="0.1"} 2
                drover_request_duration_seconds_bucket{le="0.25"} 2
                drover_request_duration_seconds_bucket{le="0.5"} 3
                drover_request_duration_seconds_bucket{le="1"} 3
                drover_request_duration_seconds_bucket{le="2.5"} 3
                drover_request_duration_seconds_bucket{le="5"} 3
                drover_request_duration_seconds_bucket{le="10"} 3
                drover_request_duration_seconds_bucket{le="+Inf"} 4
                drover_request_duration_seconds_sum 12.503
                drover_request_duration_seconds_count 4
                # HELP drover_handler_errors_total Entry-point calls that threw.
                # TYPE drover_handler_errors_total counter
                drover_handler_errors_total 1
                # HELP drover_queue_batches_total Batches delivered to consumers.
                # TYPE drover_queue_batches_total counter
                drover_queue_batches_total{queue="jobs"} 1
                drover_queue_batches_total{queue="jobs-dlq"} 1
                # HELP drover_queue_messages_total Delivered messages by outcome.
                # TYPE drover_queue_messages_total counter
                drover_queue_messages_total{queue="jobs",outcome="ack"} 3
                drover_queue_messages_total{queue="jobs",outcome="retry"} 1
                drover_queue_messages_total{queue="jobs-dlq",outcome="ack"} 1
                drover_queue_messages_total{queue="jobs-dlq",outcome="retry"} 0
                # HELP drover_scheduled_runs_total Runs of cron triggers.
                # TYPE drover_scheduled_runs_total counter
                drover_scheduled_runs_total{cron="*/5 * * * *"} 1
                # HELP drover_binding_operations_total Calls the worker made on its bindings, by binding, type and operation.
                # TYPE drover_binding_operations_total counter
                drover_binding_operations_total{binding="DB",type="d1",operation="query"} 1
                drover_binding_operations_total{binding="KV",type="kv",operation="get"} 2

                """
        )
    }

    @Test("statuses past the cap count under (other), written last; the first ones keep counting")
    func statusCap() {
        let metrics = RuntimeMetrics()
        for status in 100..<(100 + RuntimeMetrics.maxSeriesPerMetric + 5) { metrics.recordRequest(status: status, seconds: 0) }
        metrics.recordRequest(status: 100, seconds: 0)
        let lines = metrics.render().split(separator: "\n").filter { $0.hasPrefix("drover_requests_total{") }
        #expect(lines.count == RuntimeMetrics.maxSeriesPerMetric)
        #expect(lines.first == #"drover_requests_total{status="100"} 2"#)
        #expect(lines.last == #"drover_requests_total{status="(other)"} 6"#)
    }

    @Test("a queue past the cap is counted under (other) in the batch and the message counters alike")
    func queueCap() {
        let metrics = RuntimeMetrics()
        for index in 0..<RuntimeMetrics.maxSeriesPerMetric + 10 {
            metrics.recordBatch(queue: "queue \(index)", acked: 2, retried: 1)
        }
        let text = metrics.render()
        #expect(text.contains(#"drover_queue_batches_total{queue="(other)"} 11"#))
        #expect(text.contains(#"drover_queue_messages_total{queue="(other)",outcome="ack"} 22"#))
        #expect(text.contains(#"drover_queue_messages_total{queue="(other)",outcome="retry"} 11"#))
        let messageLines = text.split(separator: "\n").filter { $0.hasPrefix("drover_queue_messages_total{") }
        #expect(messageLines.count == 2 * RuntimeMetrics.maxSeriesPerMetric)
    }
}
