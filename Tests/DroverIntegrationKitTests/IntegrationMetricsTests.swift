import DroverIntegrationKit
import Testing

/// The adapters' metric set: its names, labels and buckets as a scrape sees them.
@Suite("Integration metrics")
struct IntegrationMetricsTests {
    @Test("the five families render with their names, labels and values")
    func exposition() throws {
        let metrics = try IntegrationMetrics()
        metrics.recordRequest(adapterID: "shopify", status: "success", seconds: 0.25)
        metrics.recordRequest(adapterID: "shopify", status: "failure", seconds: 3)
        metrics.recordRequest(adapterID: "stripe", status: "success", seconds: 45)
        metrics.recordError(adapterID: "shopify", type: "http_503")
        metrics.recordBreakerState(adapterID: "shopify", value: 2)
        metrics.recordBreakerState(adapterID: "stripe", value: 0)
        metrics.recordRetry(adapterID: "shopify")
        metrics.recordRetry(adapterID: "shopify")
        #expect(
            metrics.registry.render() == """
                # HELP integration_requests_total Calls made to an upstream by an integration adapter, by outcome.
                # TYPE integration_requests_total counter
                integration_requests_total{adapter_id="shopify",status="failure"} 1
                integration_requests_total{adapter_id="shopify",status="success"} 1
                integration_requests_total{adapter_id="stripe",status="success"} 1
                # HELP integration_request_duration_seconds Time an integration adapter's call to its upstream took, in seconds.
                # TYPE integration_request_duration_seconds histogram
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="0.1"} 0
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="0.5"} 1
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="1"} 1
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="2"} 1
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="5"} 2
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="10"} 2
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="30"} 2
                integration_request_duration_seconds_bucket{adapter_id="shopify",le="+Inf"} 2
                integration_request_duration_seconds_sum{adapter_id="shopify"} 3.25
                integration_request_duration_seconds_count{adapter_id="shopify"} 2
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="0.1"} 0
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="0.5"} 0
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="1"} 0
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="2"} 0
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="5"} 0
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="10"} 0
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="30"} 0
                integration_request_duration_seconds_bucket{adapter_id="stripe",le="+Inf"} 1
                integration_request_duration_seconds_sum{adapter_id="stripe"} 45
                integration_request_duration_seconds_count{adapter_id="stripe"} 1
                # HELP integration_errors_total Failed calls of an integration adapter, by kind of failure.
                # TYPE integration_errors_total counter
                integration_errors_total{adapter_id="shopify",error_type="http_503"} 1
                # HELP integration_circuit_breaker_state State of an integration adapter's circuit breaker (0=closed, 1=half-open, 2=open).
                # TYPE integration_circuit_breaker_state gauge
                integration_circuit_breaker_state{adapter_id="shopify"} 2
                integration_circuit_breaker_state{adapter_id="stripe"} 0
                # HELP integration_retries_total Retry attempts of an integration adapter.
                # TYPE integration_retries_total counter
                integration_retries_total{adapter_id="shopify"} 2

                """
        )
    }

    @Test("the families are reachable for reading, and a breaker state is replaced, not added")
    func readBack() throws {
        let metrics = try IntegrationMetrics()
        metrics.recordBreakerState(adapterID: "email", value: 2)
        metrics.recordBreakerState(adapterID: "email", value: 1)
        metrics.recordError(adapterID: "email", type: "timeout")
        #expect(try metrics.circuitBreakerState.labels("email").value == 1)
        #expect(try metrics.errors.labels("email", "timeout").value == 1)
        #expect(try metrics.retries.labels("email").value == 0)
        #expect(metrics.requests.labelNames == ["adapter_id", "status"])
        #expect(metrics.errors.labelNames == ["adapter_id", "error_type"])
    }

    @Test("the set shares a registry with other metrics, once")
    func sharedRegistry() throws {
        let registry = MetricsRegistry()
        let jobs = try registry.counter("jobs_total", help: "Jobs.")
        let metrics = try IntegrationMetrics(registry: registry)
        jobs.inc()
        metrics.recordRetry(adapterID: "a")
        #expect(registry.render().hasPrefix("# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 1\n"))
        #expect(registry.render().hasSuffix("integration_retries_total{adapter_id=\"a\"} 1\n"))
        #expect(throws: MetricsError.duplicateMetricName("integration_requests_total")) { try IntegrationMetrics(registry: registry) }
    }

    @Test("adapter ids past the cap are folded, not refused")
    func cap() throws {
        let metrics = try IntegrationMetrics(maxSeries: 3)
        for adapter in ["a", "b", "c", "d"] { metrics.recordRetry(adapterID: adapter) }
        #expect(try metrics.retries.labels("(other)").value == 2)
        #expect(
            metrics.registry.render().hasSuffix(
                "{adapter_id=\"a\"} 1\nintegration_retries_total{adapter_id=\"b\"} 1\nintegration_retries_total{adapter_id=\"(other)\"} 2\n"
            )
        )
    }
}
