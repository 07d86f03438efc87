import Drover
import DroverConfig
import DroverExamples
import DroverRuntime
import DroverTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What an outside probe of `drover dev` found in the runtime's own routes, its metrics and log,
/// and its shutdown; the server cases through a real socket.
@Suite struct RuntimeHardeningTests {
    // MARK: - The scheduled route on the dev server

    @Test(
        "the scheduled route refuses a time that is not a finite number in range, and keeps serving",
        arguments: ["nan", "NaN", "inf", "-inf", "infinity", "-1", "1e300", "253402300800000", "abc", "", "0x10"]
    )
    func scheduledRouteRefusesBadTimes(time: String) async throws {
        let running = try await DevServerTests.start(try PlaygroundProject.make())
        let refused = try await httpRequest(port: running.port, "GET", "/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*&time=\(time)")
        #expect(refused.status == 400)
        #expect(refused.text.contains("must be milliseconds since 1970-01-01T00:00:00Z"))
        let health = try await httpRequest(port: running.port, "GET", "/__drover/health")
        #expect(health.status == 200)
        let runs = try await Self.cronRuns(port: running.port)
        #expect(runs.isEmpty)
        await running.server.shutdown()
    }

    @Test("the scheduled route runs only the crons the config declares")
    func scheduledRouteRunsOnlyDeclaredCrons() async throws {
        let running = try await DevServerTests.start(try PlaygroundProject.make())
        let port = running.port
        let undeclared = try await httpRequest(port: port, "GET", "/cdn-cgi/handler/scheduled?cron=0+0+*+*+*")
        #expect(undeclared.status == 400)
        #expect(undeclared.text.contains(#"is not one of the worker's cron triggers"#))
        #expect(undeclared.text.contains(#""*/5 * * * *""#))
        // Spaced differently, it is still the declared one.
        let declared = try await httpRequest(port: port, "GET", "/cdn-cgi/handler/scheduled?cron=*/5++*+*+*+*&time=1767225600000")
        #expect(declared.status == 200)
        #expect(declared.text == "ok")
        let runs = try await Self.cronRuns(port: port)
        #expect(runs.count == 1)
        #expect(runs.first?["cron"]?.stringValue == "*/5 * * * *")
        #expect(runs.first?["scheduled_ms"] == .integer(1_767_225_600_000))
        await running.server.shutdown()
    }

    @Test("a cron parameter cannot forge metric lines, grow the metrics page or reach the terminal")
    func cronParameterInjection() async throws {
        let running = try await DevServerTests.start(try PlaygroundProject.make())
        let port = running.port
        let forged = PercentEncoding.encode("x\"} 1\ndrover_requests_total{status=\"999\"} 5\n\u{1B}[31mred")
        let injected = try await httpRequest(port: port, "GET", "/cdn-cgi/handler/scheduled?cron=\(forged)")
        #expect(injected.status == 400)
        #expect(!injected.text.contains("\u{1B}"))
        #expect(!injected.text.contains("\n" + "drover_requests_total"))
        for index in 0..<300 {
            _ = try await httpRequest(port: port, "GET", "/cdn-cgi/handler/scheduled?cron=\(index)+*+*+*+*")
        }
        let metrics = try await httpRequest(port: port, "GET", "/__drover/metrics").text
        #expect(!metrics.contains("status=\"999\""))
        #expect(!metrics.contains("cron=\"x"))
        #expect(!metrics.contains("cron=\"1 * * * *\""))
        #expect(metrics.utf8.count < 8_000)
        #expect(!running.logs.lines.contains { $0.contains("\u{1B}") })
        await running.server.shutdown()
    }

    // MARK: - Cross-site requests and Host names on the dev server

    @Test("the runtime's routes refuse what a page of another site makes the browser send")
    func crossSiteRequestsAreRefused() async throws {
        let running = try await DevServerTests.start(try PlaygroundProject.make())
        let port = running.port
        let scheduled = "/cdn-cgi/handler/scheduled?cron=*/5+*+*+*+*&time=1767225600000"
        for (path, headers) in [
            (scheduled, ["Sec-Fetch-Site": "cross-site"]),
            (scheduled, ["Sec-Fetch-Site": "same-site"]),
            ("/__drover/metrics", ["Sec-Fetch-Site": "cross-site"]),
            ("/__drover/health", ["Origin": "http://evil.example"]),
            (scheduled, ["Origin": "null"]),
        ] {
            let response = try await httpRequest(port: port, "GET", path, headers: headers)
            #expect(response.status == 403, "\(path) \(headers)")
            #expect(response.text.contains("Drover's own routes"))
        }
        #expect(try await Self.cronRuns(port: port).isEmpty)
        // The user's own: a tool sends none of these headers; a typed URL says `none`.
        #expect(try await httpRequest(port: port, "GET", "/__drover/health").status == 200)
        #expect(try await httpRequest(port: port, "GET", "/__drover/health", headers: ["Sec-Fetch-Site": "none"]).status == 200)
        #expect(
            try await httpRequest(port: port, "GET", "/__drover/health", headers: ["Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"])
                .status == 200
        )
        await running.server.shutdown()
    }

    @Test("a Host that is not this machine is 403; [dev] allowed_hosts adds names")
    func hostNamesOnTheDevServer() async throws {
        let project = try PlaygroundProject.make { $0 + "\n[dev]\nallowed_hosts = [\"app.test\"]\n" }
        let running = try await DevServerTests.start(project)
        func get(host: String) async throws -> RawHTTPResponse {
            let connection = try RawHTTPConnection(port: running.port)
            try connection.write(Array("GET /env HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8))
            return try await connection.readResponse()
        }
        #expect(try await get(host: "rebound.evil.example").status == 403)
        #expect(try await get(host: "app.test").status == 200)
        #expect(try await get(host: "localhost:\(running.port)").status == 200)
        #expect(try await get(host: "127.0.0.1:\(running.port)").status == 200)
        await running.server.shutdown()
    }

    // MARK: - Shutdown and waitUntil are bounded

    @Test(.timeLimit(.minutes(1)))
    func shutdownDoesNotWaitForeverOnAStuckHandler() async throws {
        let held = try await DevServerTests.startHoldingARequest(gracePeriod: .milliseconds(200)) { _, _ in Response("late") }
        await held.running.server.shutdown()
        #expect(held.running.server.runtime == nil)
        #expect(held.running.logs.all.contains { $0.level == .warning && $0.message.contains("still running after") })
        held.release.open()
    }

    @Test(.timeLimit(.minutes(1)))
    func waitUntilWorkIsCancelledAfterItsLimit() async throws {
        let cancelled = Gate()
        let worker = ClosureWorker(fetch: { _, _, ctx in
            ctx.waitUntil {
                // Runs "for ever", until cancelled.
                do { try await Task.sleep(for: .seconds(3600)) } catch { cancelled.open() }
            }
            return Response("answered")
        })
        let sink = MemoryLogSink()
        let host = WorkerHostTests.host(worker, showsErrorDetails: true, sink: sink, waitUntilLimit: .milliseconds(100))
        let (response, background) = await host.serve(try Request(url: "http://localhost/work"))
        #expect(try await response.text() == "answered")
        await background?.value
        // The host cancels the work and moves on; the cancelled task ends soon after, on its own
        // time, so the test waits for it (bounded by the time limit) rather than reading a flag.
        await cancelled.wait()
        #expect(sink.lines.contains { $0.contains("waitUntil work of GET /work still running") && $0.contains("cancelled") })
        #expect(host.background.count == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func runtimeShutdownGivesUpOnWorkThatIgnoresCancellation() async throws {
        let project = try PlaygroundProject.make { $0.replacingOccurrences(of: #"main = "playground""#, with: #"main = "stubborn""#) }
        let release = Gate()
        var registry = PlaygroundProject.registry
        registry.register(
            "stubborn",
            ClosureWorker(fetch: { _, _, ctx in
                ctx.waitUntil { await release.wait() }  // never looks at cancellation
                return Response("answered")
            })
        )
        let sink = MemoryLogSink()
        let logger = Logger(label: "drover", level: .info, sink: sink)
        let runtime = try await project.runtimeFactory(logger: logger, registry: registry)()
        _ = await runtime.host.fetch(try Request(url: "http://localhost/"))
        await runtime.shutdown(gracePeriod: .milliseconds(200))
        #expect(sink.lines.contains { $0.contains("waitUntil task(s) still running") })
        release.open()
    }

    @Test("the state folder and every file the stores make in it are their owner's only")
    func stateFolderIsPrivate() async throws {
        let project = try PlaygroundProject.make()
        try FileManager.default.createDirectory(atPath: project.statePath, withIntermediateDirectories: true)
        chmod(project.statePath, 0o755)  // made by an earlier version, say
        let runtime = try await project.runtimeFactory(logger: .disabled)()
        // Written to, so every store has made its files (D1's WAL and shared memory among them).
        _ = try await runtime.host.env.kv("KV").put("k", value: Array("v".utf8), options: KVPutOptions())
        _ = try await runtime.host.env.d1("DB").prepare("INSERT INTO cron_runs (cron, scheduled_ms) VALUES ('x', 1)").run()
        try await runtime.host.env.queue("JOBS").send(.text("m"))
        _ = try await runtime.host.env.durableObjects("COUNTER").getByName("x").call(PlaygroundCounter.self) { try $0.increment() }
        var info = stat()
        #expect(stat(project.statePath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        // Nothing under it is readable, writable or searchable by anyone but its owner.
        let enumerator = try #require(FileManager.default.enumerator(atPath: project.statePath))
        var checked = 0
        while let name = enumerator.nextObject() as? String {
            #expect(lstat(project.statePath + "/" + name, &info) == 0)
            #expect(info.st_mode & 0o077 == 0, "\(name) has mode \(String(info.st_mode & 0o777, radix: 8))")
            checked += 1
        }
        #expect(checked >= 8)
        await runtime.shutdown()
    }

    // MARK: - Parameters, metrics and log lines in-process

    @Test(
        "scheduled parameters: declared crons and finite times only",
        arguments: [
            ("cron=*/5+*+*+*+*&time=0", true), ("cron=+*/5++*+*+*+*+&time=1767225600000", true), ("", true),
            ("cron=&time=1", true), ("cron=*/5+*+*+*+*&time=253402300799999", true),
            ("cron=*/5+*+*+*+*&time=253402300799999.5", false), ("cron=1+*+*+*+*", false), ("time=nan", false),
            ("time=-0.5", false), ("time=1e400", false), ("cron=%00", false),
        ]
    )
    func scheduledParameters(query: String, accepted: Bool) throws {
        let result = InternalRoutes.scheduledInvocation(QueryParameters(query), crons: ["*/5 * * * *"], now: Date(timeIntervalSince1970: 0))
        switch result {
        case .success(let invocation):
            #expect(accepted, "\(query) was accepted")
            #expect(invocation.cron.isEmpty || invocation.cron == "*/5 * * * *")
        case .failure(let refusal):
            #expect(!accepted, "\(query): \(refusal.message)")
            #expect(!refusal.message.contains("\u{0}"))
        }
    }

    @Test("metric label values are escaped and each counter keeps a bounded set of them")
    func metricsLabels() {
        #expect(RuntimeMetrics.escapeLabelValue(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        let metrics = RuntimeMetrics()
        metrics.recordScheduled(cron: "evil\"} 1\ndrover_forged 1")
        for index in 0..<3_000 { metrics.recordScheduled(cron: "cron \(index)") }
        for index in 0..<3_000 { metrics.recordBatch(queue: "queue \(index)", acked: 1, retried: 0) }
        let text = metrics.render()
        #expect(!text.contains("\ndrover_forged"))
        #expect(text.contains(#"cron="evil\"} 1\ndrover_forged 1""#))
        let cronLines = text.split(separator: "\n").filter { $0.hasPrefix("drover_scheduled_runs_total{") }
        #expect(cronLines.count == RuntimeMetrics.maxSeriesPerMetric)
        #expect(text.contains("drover_scheduled_runs_total{cron=\"(other)\"} 2902"))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("drover_queue_batches_total{") }.count == RuntimeMetrics.maxSeriesPerMetric)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.hasPrefix("drover_"), "\(line)")
        }
    }

    @Test("text log lines escape control characters")
    func logLinesEscapeControls() {
        let record = LogRecord(
            date: Date(timeIntervalSince1970: 0),
            level: .info,
            label: "t",
            message: "a\u{1B}[2Jb\nforged line\rc\td\u{7F}e\u{85}f é",
            metadata: ["k": "v\u{1B}"]
        )
        let line = String(decoding: StandardErrorLogSink.textLine(record), as: UTF8.self)
        #expect(line == #"a\u{1B}[2Jb\nforged line\rc\td\u{7F}e\u{85}f é k=v\u{1B}"#)
    }

    /// The rows of the playground's `cron_runs` table.
    static func cronRuns(port: Int) async throws -> [JSONValue] {
        let response = try await httpRequest(
            port: port,
            "POST",
            "/d1/query",
            body: #"{"sql": "SELECT cron, scheduled_ms FROM cron_runs ORDER BY seq", "params": []}"#
        )
        return try response.json()["results"]?.arrayValue ?? []
    }
}
