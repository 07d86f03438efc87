import Drover
import DroverRuntime
import DroverTestSupport
import Foundation
import Synchronization
import Testing

/// The worker host in-process: errors become answers, one log line per request, `waitUntil`
/// tracked, counters kept; and the runtime's own routes.
@Suite struct WorkerHostTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "the database fell over" }
    }

    static func host(
        _ worker: any Worker,
        showsErrorDetails: Bool,
        sink: MemoryLogSink = MemoryLogSink(),
        crons: [String] = [],
        waitUntilLimit: Duration = .seconds(30)
    ) -> WorkerHost {
        let logger = Logger(label: "test", level: .trace, sink: sink)
        let env = Env(fetch: RefusingFetcher(), clock: ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600)))
        return WorkerHost(
            workerName: "test",
            worker: worker,
            env: env,
            logger: logger,
            showsErrorDetails: showsErrorDetails,
            cronTriggers: crons,
            waitUntilLimit: waitUntilLimit
        )
    }

    static let throwing = ClosureWorker(fetch: { _, _, _ in throw Boom() })

    @Test("the error detail drover dev shows never holds a secret's value, wherever it came from (the error, the request)")
    func errorDetailRedactsSecrets() async throws {
        struct Leaky: Error, CustomStringConvertible {
            var description: String { "GET https://api.example.test/v1?key=sk_live_leaky_123 failed" }
        }
        let env = Env(
            bindings: ["API_KEY": .secret("sk_live_leaky_123")], fetch: RefusingFetcher(),
            clock: ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600)))
        let host = WorkerHost(
            workerName: "test", worker: ClosureWorker(fetch: { _, _, _ in throw Leaky() }), env: env,
            logger: Logger(label: "test", level: .trace, sink: MemoryLogSink()), showsErrorDetails: true)
        let response = await host.fetch(try Request(url: "http://localhost/orders?token=sk_live_leaky_123"))
        #expect(response.status == 500)
        let text = try await response.body.text()
        #expect(!text.contains("sk_live_leaky_123"))
        #expect(text.contains("key=[secret API_KEY]"))
        #expect(text.contains("token=[secret API_KEY]"))
    }

    @Test func throwingHandlerShowsTheErrorInDevInTheSameJSONShape() async throws {
        let host = Self.host(Self.throwing, showsErrorDetails: true)
        let response = await host.fetch(try Request(url: "http://localhost/orders/7", method: "POST"))
        #expect(response.status == 500)
        #expect(response.headers["content-type"]?.contains("application/json") == true)
        let json = try JSONParser.parse(try await response.text())
        #expect(json["error"]?.stringValue == "internal server error")
        let detail = try #require(json["detail"]?.stringValue)
        #expect(detail.contains("the database fell over"))
        #expect(detail.contains("POST /orders/7"))
        #expect(detail.contains("Boom"))
    }

    /// A worker's own error type choosing its answer, with a header.
    struct OutOfStock: HTTPResponseError {
        var status: Int { 409 }
        var message: String { "out of stock" }
        var headers: Headers { ["Retry-After": "30"] }
    }

    @Test func anErrorAdoptingHTTPResponseErrorChoosesItsAnswerThroughTheRuntimeAndTheRouter() async throws {
        var router = Router()
        router.get("/routed") { _, _, _ in throw OutOfStock() }
        let direct = ClosureWorker(fetch: { _, _, _ in throw OutOfStock() })
        let workers: [any Worker] = [direct, router]
        for worker in workers {
            let host = Self.host(worker, showsErrorDetails: false)
            let response = await host.fetch(try Request(url: "http://localhost/routed"))
            #expect(response.status == 409)
            #expect(response.headers["retry-after"] == "30")
            #expect(try JSONParser.parse(try await response.text())["error"]?.stringValue == "out of stock")
        }
        // Defaults: the reason phrase, no headers.
        struct Gone: HTTPResponseError { var status: Int { 410 } }
        let response = await Self.host(ClosureWorker(fetch: { _, _, _ in throw Gone() }), showsErrorDetails: true)
            .fetch(try Request(url: "http://localhost/x"))
        #expect(response.status == 410)
        #expect(try JSONParser.parse(try await response.text())["error"]?.stringValue == "gone")
    }

    @Test func throwingHandlerGivesAGenericJSON500OtherwiseWithoutTheDetails() async throws {
        let host = Self.host(Self.throwing, showsErrorDetails: false)
        let response = await host.fetch(try Request(url: "http://localhost/orders/7"))
        #expect(response.status == 500)
        let text = try await response.text()
        #expect(!text.contains("fell over"))
        let json = try JSONParser.parse(text)
        #expect(json["error"]?.stringValue != nil)
        #expect(response.headers["content-type"]?.contains("application/json") == true)
    }

    @Test(arguments: [400, 401, 404, 409, 429, 503])
    func httpErrorGivesItsStatus(status: Int) async throws {
        let worker = ClosureWorker(fetch: { _, _, _ in throw HTTPError(status, "nope \(status)") })
        let host = Self.host(worker, showsErrorDetails: false)
        let response = await host.fetch(try Request(url: "http://localhost/x"))
        #expect(response.status == status)
        #expect(try await response.text().contains("nope \(status)"))
    }

    @Test func oneLogLinePerRequestWithMethodPathStatusAndDuration() async throws {
        let sink = MemoryLogSink()
        let worker = ClosureWorker(fetch: { request, _, _ in
            request.path == "/missing" ? Response("no", status: 404) : Response("ok")
        })
        let host = Self.host(worker, showsErrorDetails: true, sink: sink)
        _ = await host.fetch(try Request(url: "http://localhost/hello?x=1"))
        _ = await host.fetch(try Request(url: "http://localhost/missing", method: "DELETE"))
        let requestLines = sink.all.filter { $0.level == .info }.map(\.message)
        #expect(requestLines.count == 2)
        let pattern = #/^(GET|DELETE) (\S+) (\d{3}) .* \(\d+(\.\d+)?(ms|s)\)$/#
        let first = try #require(requestLines.first.flatMap { try? pattern.wholeMatch(in: $0) })
        #expect(first.output.1 == "GET" && first.output.2 == "/hello?x=1" && first.output.3 == "200")
        let second = try #require(requestLines.last.flatMap { try? pattern.wholeMatch(in: $0) })
        #expect(second.output.1 == "DELETE" && second.output.2 == "/missing" && second.output.3 == "404")
    }

    @Test func theHandlersLoggerIsLabelledWorkerAndNumbersEachCallUnderItsTrace() async throws {
        let sink = MemoryLogSink()
        let worker = ClosureWorker(fetch: { _, _, ctx in
            ctx.logger.notice("handled")
            return Response(ctx.trace.traceID)
        })
        let host = Self.host(worker, showsErrorDetails: true, sink: sink)
        var traceIDs: [String] = []
        for _ in 0..<2 { traceIDs.append(try await host.fetch(try Request(url: "http://localhost/a")).text()) }
        let handled = sink.all.filter { $0.message == "handled" }
        #expect(handled.map(\.label) == ["worker", "worker"])
        #expect(handled.map { $0.metadata["request"] } == ["1", "2"])
        #expect(handled.map { $0.metadata[Logger.traceIDKey] } == traceIDs)
        #expect(Set(traceIDs).count == 2)
    }

    @Test func throwingHandlerIsLoggedAsAnErrorAndStillGetsItsRequestLine() async throws {
        let sink = MemoryLogSink()
        let host = Self.host(Self.throwing, showsErrorDetails: false, sink: sink)
        _ = await host.fetch(try Request(url: "http://localhost/x"))
        #expect(sink.all.contains { $0.level == .error && $0.message.contains("the database fell over") })
        #expect(sink.all.filter { $0.level == .info && $0.message.hasPrefix("GET /x 500") }.count == 1)
    }

    @Test func waitUntilWorkIsTrackedAndAwaited() async throws {
        let gate = Gate()
        let done = Atomic<Bool>(false)
        let worker = ClosureWorker(fetch: { _, _, ctx in
            ctx.waitUntil {
                await gate.wait()
                done.store(true, ordering: .sequentiallyConsistent)
            }
            return Response("answered before the background work")
        })
        let host = Self.host(worker, showsErrorDetails: true)
        let response = await host.fetch(try Request(url: "http://localhost/"))
        #expect(response.status == 200)
        #expect(host.background.count == 1)
        let doneEarly = done.load(ordering: .sequentiallyConsistent)
        #expect(!doneEarly)
        async let waited: Void = host.background.waitForAll()
        gate.open()
        await waited
        let doneLater = done.load(ordering: .sequentiallyConsistent)
        #expect(doneLater)
        #expect(host.background.count == 0)
    }

    @Test func metricsCountRequestsAndErrorsInPrometheusText() async throws {
        let worker = ClosureWorker(fetch: { request, _, _ in
            if request.path == "/boom" { throw Boom() }
            return Response("ok")
        })
        let host = Self.host(worker, showsErrorDetails: false)
        for path in ["/a", "/b", "/boom"] { _ = await host.fetch(try Request(url: "http://localhost\(path)")) }
        let routes = InternalRoutes(testScheduled: false, workerName: "test")
        let request = try Request(url: "http://localhost/__drover/metrics")
        #expect(routes.handles(request))
        let response = await routes.respond(to: request, host: host)
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = try await response.text()
        #expect(text.contains("drover_requests_total{status=\"200\"} 2\n"))
        #expect(text.contains("drover_requests_total{status=\"500\"} 1\n"))
        #expect(text.contains("drover_handler_errors_total 1\n"))
        #expect(text.contains("drover_request_duration_seconds_count 3\n"))
        #expect(text.contains("drover_request_duration_seconds_bucket{le=\"+Inf\"} 3\n"))
        // Every sample line is `name{labels} value` or `name value` (text format 0.0.4).
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count == 2 && Double(line.split(separator: " ").last ?? "") != nil, "\(line)")
        }
    }

    @Test func healthRouteAnswersJSON() async throws {
        let host = Self.host(ClosureWorker(fetch: { _, _, _ in Response("ok") }), showsErrorDetails: false)
        let routes = InternalRoutes(testScheduled: false, workerName: "test", version: 3)
        let request = try Request(url: "http://localhost/__drover/health")
        #expect(routes.handles(request))
        let json = try await routes.respond(to: request, host: host).json()
        #expect(json["status"]?.stringValue == "ok")
        #expect(json["worker"]?.stringValue == "test")
        #expect(json["version"] == .integer(3))
    }
}

/// `/cdn-cgi/handler/scheduled` and `/__scheduled` (wrangler's names and answers).
@Suite struct InternalRoutesTests {
    final class Runs: Sendable {
        let values = Mutex<[(String, Date)]>([])
    }

    static let crons = ["*/5 * * * *", "* * * * *", "0 * * * *"]

    static func host(runs: Runs, failing: Bool = false, sink: MemoryLogSink = MemoryLogSink()) -> WorkerHost {
        let worker = ClosureWorker(
            fetch: { request, _, _ in Response("worker saw \(request.path)") },
            scheduled: { controller, _, _ in
                runs.values.withLock { $0.append((controller.cron, controller.scheduledTime)) }
                if failing { throw WorkerHostTests.Boom() }
            }
        )
        return WorkerHostTests.host(worker, showsErrorDetails: true, sink: sink, crons: crons)
    }

    @Test func cdnCgiScheduledRunsTheHandlerWithCronAndTime() async throws {
        let runs = Runs()
        let host = Self.host(runs: runs)
        let routes = InternalRoutes(testScheduled: false, workerName: "test")
        let request = try Request(url: "http://localhost/cdn-cgi/handler/scheduled?cron=*%2F5+*+*+*+*&time=1767225600000")
        #expect(routes.handles(request))
        let response = await routes.respond(to: request, host: host)
        #expect(response.status == 200)
        #expect(try await response.text() == "ok")
        let recorded = runs.values.withLock { $0 }
        #expect(recorded.count == 1)
        #expect(recorded.first?.0 == "*/5 * * * *")
        #expect(recorded.first?.1 == Date(timeIntervalSince1970: 1_767_225_600))
    }

    @Test func cdnCgiScheduledAnswersExceptionWhenTheHandlerThrows() async throws {
        let host = Self.host(runs: Runs(), failing: true)
        let routes = InternalRoutes(testScheduled: false, workerName: "test")
        let response = await routes.respond(to: try Request(url: "http://localhost/cdn-cgi/handler/scheduled?cron=*+*+*+*+*"), host: host)
        #expect(response.status == 500)
        #expect(try await response.text() == "exception")
    }

    @Test(arguments: [false, true])
    func cdnCgiScheduledJSONFormat(failing: Bool) async throws {
        let host = Self.host(runs: Runs(), failing: failing)
        let routes = InternalRoutes(testScheduled: false, workerName: "test")
        let request = try Request(url: "http://localhost/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&format=json")
        let response = await routes.respond(to: request, host: host)
        #expect(response.status == (failing ? 500 : 200))
        let json = try await response.json()
        #expect(json["outcome"]?.stringValue == (failing ? "exception" : "ok"))
        #expect(json["noRetry"] == .bool(false))
    }

    @Test func underscoreScheduledOnlyWithTestScheduled() async throws {
        let runs = Runs()
        let host = Self.host(runs: runs)
        let request = try Request(url: "http://localhost/__scheduled?cron=0+*+*+*+*")
        let off = InternalRoutes(testScheduled: false, workerName: "test")
        #expect(!off.handles(request))
        // Without the flag the request is the worker's.
        #expect(try await host.fetch(request).text() == "worker saw /__scheduled")
        #expect(runs.values.withLock { $0.isEmpty })

        let on = InternalRoutes(testScheduled: true, workerName: "test")
        #expect(on.handles(request))
        let response = await on.respond(to: request, host: host)
        #expect(response.status == 200)
        #expect(try await response.text() == "Ran scheduled event")
        #expect(runs.values.withLock { $0.map(\.0) } == ["0 * * * *"])
    }

    @Test func otherDoubleUnderscorePathsGoToTheWorker() throws {
        let routes = InternalRoutes(testScheduled: true, workerName: "test")
        for path in ["/__drover", "/__drover/other", "/cdn-cgi/trace", "/__scheduledx"] {
            #expect(!routes.handles(try Request(url: "http://localhost\(path)")), "\(path)")
        }
    }
}
