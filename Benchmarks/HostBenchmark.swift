import Drover
import DroverExamples
import DroverRuntime

/// The runtime's own share of a request, without the sockets: `WorkerHost.fetch` answering
/// `GET /hello` from the benchmark worker — the call's trace, its context, the handler, the
/// counters and the request line, rendered as `drover dev` writes it to standard error (and then
/// dropped). What `drover dev` adds per request on top of the HTTP server, the figure to watch when
/// the request path changes.
///
/// `swift run -c release Benchmarks host [iterations]`
enum HostBenchmark {
    static func run(arguments: [String]) async throws {
        let iterations = arguments.first.flatMap(Int.init) ?? 500_000
        let host = WorkerHost(
            workerName: "bench-hello",
            worker: BenchHelloWorker(),
            env: Env(fetch: NoFetcher()),
            logger: Logger(label: "drover", sink: RenderingSink()),
            showsErrorDetails: true
        )
        let request = Request(method: "GET", target: "/hello")
        print("host: WorkerHost.fetch(GET /hello), request line rendered, \(iterations) requests a round")
        print("| round | ns/request (wall) | CPU ns/request |")
        print("|---|---|---|")
        for round in 0...5 {
            let clock = ContinuousClock()
            let cpuStart = processCPUSeconds()
            var statusSum = 0
            let elapsed = await clock.measure {
                for _ in 0..<iterations { statusSum &+= await host.fetch(request).status }
            }
            let cpuSeconds = processCPUSeconds() - cpuStart
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            // Round 0 warms up.
            if round > 0 {
                print("| \(round) | \(Int(seconds * 1e9 / Double(iterations))) | \(Int(cpuSeconds * 1e9 / Double(iterations))) |")
            }
            if statusSum != 200 * iterations { print("(unexpected statuses)") }
        }
    }

    /// Renders each record as `drover dev`'s standard error sink does, and drops the line.
    private struct RenderingSink: LogSink {
        func write(_ record: LogRecord) {
            let line = StandardErrorLogSink.textLine(record)
            if line.isEmpty { print("(empty line)") }
        }
    }
}
