import Drover
import DroverIntegrationKit
import Testing

/// The registry's text exposition (format 0.0.4) byte for byte, its refusals and its caps.
@Suite("Metrics registry")
struct MetricsRegistryTests {
    @Test("counters, gauges and histograms render as the exposition format, byte for byte")
    func exposition() throws {
        let registry = MetricsRegistry()
        let requests = try registry.counter(
            "http_requests_total",
            help: "Requests by method\\status.\nSecond line.",
            labelNames: ["method", "code"]
        )
        try requests.labels("post", "200").add(3)
        try requests.labels("get", "200").inc()
        try requests.labels("get", "a\"b\\c\nd").inc()
        let temperature = try registry.gauge("room_temperature_celsius", help: "Temperature.")
        temperature.set(-2.5)
        let latency = try registry.histogram("rpc_latency_seconds", help: "Latency.", labelNames: ["service"], buckets: [0.25, 0.5, 1])
        let api = try latency.labels("api")
        for value in [0.125, 0.25, 0.5, 2] { api.observe(value) }
        _ = try latency.labels("batch")
        _ = try registry.counter("never_total", help: "No series yet.", labelNames: ["x"])
        let uptime = try registry.histogram("uptime_seconds", help: "Uptime.", buckets: [])
        uptime.observe(7)

        #expect(
            registry.render() == """
                # HELP http_requests_total Requests by method\\\\status.\\nSecond line.
                # TYPE http_requests_total counter
                http_requests_total{method="get",code="200"} 1
                http_requests_total{method="get",code="a\\"b\\\\c\\nd"} 1
                http_requests_total{method="post",code="200"} 3
                # HELP room_temperature_celsius Temperature.
                # TYPE room_temperature_celsius gauge
                room_temperature_celsius -2.5
                # HELP rpc_latency_seconds Latency.
                # TYPE rpc_latency_seconds histogram
                rpc_latency_seconds_bucket{service="api",le="0.25"} 2
                rpc_latency_seconds_bucket{service="api",le="0.5"} 3
                rpc_latency_seconds_bucket{service="api",le="1"} 3
                rpc_latency_seconds_bucket{service="api",le="+Inf"} 4
                rpc_latency_seconds_sum{service="api"} 2.875
                rpc_latency_seconds_count{service="api"} 4
                rpc_latency_seconds_bucket{service="batch",le="0.25"} 0
                rpc_latency_seconds_bucket{service="batch",le="0.5"} 0
                rpc_latency_seconds_bucket{service="batch",le="1"} 0
                rpc_latency_seconds_bucket{service="batch",le="+Inf"} 0
                rpc_latency_seconds_sum{service="batch"} 0
                rpc_latency_seconds_count{service="batch"} 0
                # HELP never_total No series yet.
                # TYPE never_total counter
                # HELP uptime_seconds Uptime.
                # TYPE uptime_seconds histogram
                uptime_seconds_bucket{le="+Inf"} 1
                uptime_seconds_sum 7
                uptime_seconds_count 1

                """
        )
    }

    @Test("unlabelled metrics are written at 0 from registration, with the default buckets")
    func unlabelledStartAtZero() throws {
        let registry = MetricsRegistry()
        _ = try registry.counter("jobs_total", help: "Jobs.")
        _ = try registry.histogram("wait_seconds", help: "Waits.")
        #expect(
            registry.render() == """
                # HELP jobs_total Jobs.
                # TYPE jobs_total counter
                jobs_total 0
                # HELP wait_seconds Waits.
                # TYPE wait_seconds histogram
                wait_seconds_bucket{le="0.005"} 0
                wait_seconds_bucket{le="0.01"} 0
                wait_seconds_bucket{le="0.025"} 0
                wait_seconds_bucket{le="0.05"} 0
                wait_seconds_bucket{le="0.1"} 0
                wait_seconds_bucket{le="0.25"} 0
                wait_seconds_bucket{le="0.5"} 0
                wait_seconds_bucket{le="1"} 0
                wait_seconds_bucket{le="2.5"} 0
                wait_seconds_bucket{le="5"} 0
                wait_seconds_bucket{le="10"} 0
                wait_seconds_bucket{le="+Inf"} 0
                wait_seconds_sum 0
                wait_seconds_count 0

                """
        )
    }

    @Test(
        "values are written as the client libraries write them",
        arguments: [
            (0.0, "0"), (-0.0, "0"), (1, "1"), (-3, "-3"), (1_000_000, "1000000"), (1e15, "1000000000000000"),
            (2.5, "2.5"), (0.1, "0.1"), (0.1 + 0.2, "0.30000000000000004"), (1e-5, "1e-05"), (1.5e20, "1.5e+20"),
            (-1.25e-7, "-1.25e-07"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
        ] as [(Double, String)]
    )
    func valueFormatting(value: Double, text: String) throws {
        let registry = MetricsRegistry()
        try registry.gauge("g", help: "h").set(value)
        #expect(registry.render() == "# HELP g h\n# TYPE g gauge\ng \(text)\n")
    }

    @Test("a bucket bound is the inclusive upper edge; NaN and values above every bound count in +Inf only")
    func bucketEdges() throws {
        let registry = MetricsRegistry()
        let histogram = try registry.histogram("h", help: "h", buckets: [-1, 0, 1, .infinity])
        for value in [-2, -1, 0, 0.5, 1, 1.5, .nan] { histogram.observe(value) }
        #expect(histogram.count == 7)
        #expect(histogram.sum.isNaN)
        #expect(
            registry.render() == """
                # HELP h h
                # TYPE h histogram
                h_bucket{le="-1"} 2
                h_bucket{le="0"} 3
                h_bucket{le="1"} 5
                h_bucket{le="+Inf"} 7
                h_sum NaN
                h_count 7

                """
        )
    }

    @Test("series are ordered by label values as UTF-8 bytes, whatever order they were first seen in")
    func seriesOrder() throws {
        let registry = MetricsRegistry()
        let family = try registry.counter("c", help: "h", labelNames: ["z", "a"])
        for (z, a) in [("b", "2"), ("é", "1"), ("B", "9"), ("b", "10"), ("", "x")] { try family.labels(z, a).inc() }
        let lines = registry.render().split(separator: "\n").dropFirst(2)
        #expect(lines == [#"c{z="",a="x"} 1"#, #"c{z="B",a="9"} 1"#, #"c{z="b",a="10"} 1"#, #"c{z="b",a="2"} 1"#, #"c{z="é",a="1"} 1"#])
    }

    @Test("counters only go up: a negative or NaN amount is ignored; gauges go both ways")
    func counterAndGaugeArithmetic() throws {
        let registry = MetricsRegistry()
        let counter = try registry.counter("c_total", help: "h")
        counter.add(2.5)
        counter.add(-1)
        counter.add(.nan)
        counter.inc()
        #expect(counter.value == 3.5)
        let gauge = try registry.gauge("g", help: "h")
        gauge.set(10)
        gauge.inc()
        gauge.dec()
        gauge.dec()
        gauge.add(-0.5)
        #expect(gauge.value == 8.5)
        #expect(registry.render().contains("\nc_total 3.5\n") && registry.render().hasSuffix("\ng 8.5\n"))
    }

    @Test("handles for the same label values count into one series")
    func sameLabelsSameSeries() throws {
        let registry = MetricsRegistry()
        let family = try registry.counter("c_total", help: "h", labelNames: ["k"])
        let first = try family.labels("v")
        let second = try family.labels(["v"])
        first.inc()
        second.inc()
        #expect(first.value == 2 && second.value == 2)
        #expect(first.labelValues == ["v"])
    }

    @Test("response() answers 200 with the format's content type")
    func response() async throws {
        let registry = MetricsRegistry()
        try registry.counter("c_total", help: "h").inc()
        let response = registry.response()
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(try await response.text() == "# HELP c_total h\n# TYPE c_total counter\nc_total 1\n")
    }

    // MARK: - Refusals

    @Test(
        "metric names outside [a-zA-Z_:][a-zA-Z0-9_:]* are refused",
        arguments: ["", "1abc", "a-b", "a b", "a.b", "é", "a\nb", "a{b}"]
    )
    func invalidMetricNames(name: String) {
        #expect(throws: MetricsError.invalidMetricName(name)) { try MetricsRegistry().counter(name, help: "h") }
    }

    @Test("metric names in the alphabet are accepted", arguments: ["a", "_a", ":a", "a:b_c9", "A_Z"])
    func validMetricNames(name: String) throws {
        let registry = MetricsRegistry()
        _ = try registry.gauge(name, help: "h")
        #expect(registry.render().hasPrefix("# HELP \(name) h\n"))
    }

    @Test(
        "label names outside [a-zA-Z_][a-zA-Z0-9_]*, or starting with __, are refused",
        arguments: ["", "1a", "a:b", "__name__", "__x", "a-b", "é"]
    )
    func invalidLabelNames(label: String) {
        #expect(throws: MetricsError.invalidLabelName(label, metric: "c")) {
            try MetricsRegistry().counter("c", help: "h", labelNames: ["ok", label])
        }
    }

    @Test("le is refused on a histogram only; a label listed twice is refused")
    func reservedAndDuplicateLabels() throws {
        let registry = MetricsRegistry()
        #expect(throws: MetricsError.invalidLabelName("le", metric: "h")) {
            try registry.histogram("h", help: "h", labelNames: ["le"])
        }
        _ = try registry.counter("c", help: "h", labelNames: ["le", "_x"])
        #expect(throws: MetricsError.duplicateLabelName("a", metric: "d")) {
            try registry.gauge("d", help: "h", labelNames: ["a", "b", "a"])
        }
    }

    @Test("a name some family already writes is refused, histogram sample names included")
    func duplicateNames() throws {
        let registry = MetricsRegistry()
        _ = try registry.counter("x_total", help: "h")
        #expect(throws: MetricsError.duplicateMetricName("x_total")) { try registry.gauge("x_total", help: "h") }
        _ = try registry.histogram("latency", help: "h")
        #expect(throws: MetricsError.duplicateMetricName("latency_sum")) { try registry.counter("latency_sum", help: "h") }
        _ = try registry.counter("wait_count", help: "h")
        #expect(throws: MetricsError.duplicateMetricName("wait_count")) { try registry.histogram("wait", help: "h") }
        // The refused registrations left nothing behind.
        #expect(!registry.render().contains("# TYPE wait "))
        _ = try registry.gauge("wait", help: "h")
    }

    @Test(
        "histogram buckets must be strictly increasing and finite (a trailing +Inf is the implicit one)",
        arguments: [[1, 1], [2, 1], [Double.nan], [-Double.infinity, 1], [1, .infinity, 2], [.infinity, .infinity]] as [[Double]]
    )
    func invalidBuckets(buckets: [Double]) {
        #expect(throws: MetricsError.invalidBuckets(buckets, metric: "h")) {
            try MetricsRegistry().histogram("h", help: "h", buckets: buckets)
        }
    }

    @Test("a series cap below 1 is refused; the wrong number of label values is refused")
    func capAndLabelCount() throws {
        let registry = MetricsRegistry()
        #expect(throws: MetricsError.invalidMaxSeries(0, metric: "c")) {
            try registry.counter("c", help: "h", labelNames: ["a"], maxSeries: 0)
        }
        let family = try registry.counter("d", help: "h", labelNames: ["a", "b"])
        #expect(throws: MetricsError.labelCount(1, metric: "d", labelNames: ["a", "b"])) { try family.labels("x") }
        #expect(throws: MetricsError.labelCount(3, metric: "d", labelNames: ["a", "b"])) { try family.labels(["x", "y", "z"]) }
        #expect(MetricsError.labelCount(1, metric: "d", labelNames: ["a", "b"]).message == "d takes 2 label values (a, b), not 1")
    }

    // MARK: - Cardinality

    @Test("past maxSeries - 1 label sets, new ones are folded into one (other) series, written last")
    func cardinalityCap() throws {
        let registry = MetricsRegistry()
        let family = try registry.counter("c_total", help: "h", labelNames: ["path", "method"], maxSeries: 3)
        try family.labels("/b", "GET").inc()
        try family.labels("/a", "GET").inc()
        let folded = try family.labels("/c", "GET")
        folded.inc()
        try family.labels("/d", "POST").add(2)
        try family.labels("/a", "GET").inc()
        #expect(folded.labelValues == ["(other)", "(other)"])
        #expect(
            registry.render() == """
                # HELP c_total h
                # TYPE c_total counter
                c_total{path="/a",method="GET"} 2
                c_total{path="/b",method="GET"} 1
                c_total{path="(other)",method="(other)"} 3

                """
        )
    }

    @Test("a label value longer than maxLabelValueBytes is folded; one of exactly that length is kept")
    func longLabelValues() throws {
        let registry = MetricsRegistry()
        let family = try registry.gauge("g", help: "h", labelNames: ["k"])
        let limit = MetricsRegistry.maxLabelValueBytes
        try family.labels(String(repeating: "a", count: limit)).set(1)
        let long = try family.labels(String(repeating: "é", count: limit / 2) + "x")
        long.set(2)
        #expect(long.labelValues == ["(other)"])
        #expect(
            registry.render().split(separator: "\n").dropFirst(2) == ["g{k=\"\(String(repeating: "a", count: limit))\"} 1", "g{k=\"(other)\"} 2"]
        )
    }

    @Test("maxSeries 1 counts every label set in the overflow series")
    func capOfOne() throws {
        let registry = MetricsRegistry()
        let family = try registry.counter("c_total", help: "h", labelNames: ["k"], maxSeries: 1)
        for value in ["a", "b", "c"] { try family.labels(value).inc() }
        #expect(registry.render() == "# HELP c_total h\n# TYPE c_total counter\nc_total{k=\"(other)\"} 3\n")
    }
}
