import Drover
import Foundation
import Synchronization

/// Calls one worker's entry points the way the platform does: a fresh ``ExecutionContext`` per
/// call, errors turned into answers (never a crash), one log line per request, background work
/// tracked, counters kept.
///
/// Each call runs under a W3C trace (``Drover/TraceContext/current``): a request continues a
/// valid `traceparent` or starts a trace, a scheduled run starts one, a queue batch uses the
/// trace its broker started. Every log line of the call — the handler's, the runtime's, the
/// request line — carries its `trace_id` and `span_id`.
package final class WorkerHost: Sendable {
    /// The name the worker is registered under.
    package let workerName: String
    /// The worker being served.
    package let worker: any Worker
    /// Its bindings.
    package let env: Env
    /// The runtime's logger; each call gets a child with its request id.
    package let logger: Logger
    /// Counters for `/__drover/metrics`.
    package let metrics: RuntimeMetrics
    /// Whether a 500 shows the error (dev) or a generic message.
    package let showsErrorDetails: Bool
    /// Whether each request is logged (method, path, status, duration).
    package let logsRequests: Bool
    /// `waitUntil` work still running.
    package let background = BackgroundWork()
    /// The worker's cron triggers as the config writes them: the only ones the scheduled routes run.
    package let cronTriggers: [String]
    /// How long `waitUntil` work may run after the response (or after a batch or scheduled run
    /// returns) before it is cancelled: the platform's 30 seconds.
    package let waitUntilLimit: Duration
    /// Where new trace and span ids come from: random in `dev`, seeded in replay and tests.
    package let traceIDs: TraceIDGenerator
    /// The `drover tail` clients of a dev server, told of each request; nil outside one.
    /// The last run of each cron trigger: the runtime's own record for the dashboard, not state a
    /// worker sees.
    private let lastScheduledRuns = Mutex<[String: ScheduledRun]>([:])
    package let tail: TailHub?
    /// The handlers' logger: ``logger`` labelled `worker`.
    private let workerLogger: Logger
    /// The secret bindings' values, kept out of error details and tail events.
    private let secrets: SecretRedaction
    /// The request lines' logger: ``logger`` labelled `request` (a tail gets them as request events).
    private let requestLogger: Logger
    private let invocations = Atomic<Int>(0)

    /// Creates a host.
    package init(
        workerName: String,
        worker: any Worker,
        env: Env,
        logger: Logger,
        metrics: RuntimeMetrics = RuntimeMetrics(),
        showsErrorDetails: Bool,
        logsRequests: Bool = true,
        cronTriggers: [String] = [],
        waitUntilLimit: Duration = .seconds(30),
        traceIDs: TraceIDGenerator = .random,
        tail: TailHub? = nil
    ) {
        self.workerName = workerName
        self.worker = worker
        self.env = env
        self.logger = logger
        self.workerLogger = logger.withLabel("worker")
        var secrets: [String: String] = [:]
        for name in env.bindingNames {
            if case .secret(let value)? = env.binding(name) { secrets[name] = value }
        }
        self.secrets = SecretRedaction(secrets)
        self.requestLogger = logger.withLabel("request")
        self.metrics = metrics
        self.showsErrorDetails = showsErrorDetails
        self.logsRequests = logsRequests
        self.cronTriggers = cronTriggers
        self.waitUntilLimit = waitUntilLimit
        self.traceIDs = traceIDs
        self.tail = tail
    }

    /// A fresh context for one call: the `worker` logger, tagged with the call's number when the
    /// handler logs (the trace ids come from the call's ``Drover/TraceContext/current``).
    private func makeContext(trace: TraceContext) -> ExecutionContext {
        ExecutionContext(logger: workerLogger, invocation: invocations.add(1, ordering: .relaxed).newValue, trace: trace)
    }

    /// Answers one request with the worker's `fetch`, using `env` (a per-request copy, e.g. with a
    /// secret observer) when given.
    package func fetch(_ request: Request, env: Env? = nil) async -> Response {
        await serve(request, env: env).response
    }

    /// ``fetch(_:env:)``, also returning the task that awaits this request's `waitUntil` work
    /// (`nil` when it has none), so `drover dev --record` can write its fixture after that work.
    package func serve(_ request: Request, env: Env? = nil) async -> (response: Response, background: Task<Void, Never>?) {
        let start = ContinuousClock.now
        // W3C Trace Context: continue a valid traceparent (tracestate passed through), else start.
        let caller = request.headers["traceparent"].flatMap { TraceContext(traceparent: $0, tracestate: request.headers["tracestate"]) }
        let trace = caller?.child(using: traceIDs) ?? .start(using: traceIDs)
        // The call's body is written in the closure (not in a function it calls): one async frame
        // less on every request.
        return await TraceContext.$current.withValue(trace) { [self] in
            let context = makeContext(trace: trace)
            var response: Response
            do {
                response = try await worker.fetch(request, env: env ?? self.env, ctx: context)
            } catch let error as any HTTPResponseError {
                response = error.response
            } catch {
                metrics.recordHandlerError()
                context.logger.error("Uncaught error in fetch handler: \(error)")
                response = ErrorResponses.response(for: error, request: request, showsDetails: showsErrorDetails)
                // The detail `drover dev` shows names the error and the request, either of which may
                // hold a secret's value (a URL with a key in it): never print one.
                if showsErrorDetails, !secrets.isEmpty, let text = response.body.bufferedBytes.map({ String(decoding: $0, as: UTF8.self) }) {
                    let redacted = secrets.redact(text)
                    if redacted != text { response.body = Body(text: redacted) }
                }
            }
            let backgroundTask =
                context.hasBackgroundWork
                ? background.track(context, atMost: waitUntilLimit) { [logger, waitUntilLimit] in
                    logger.warning(
                        "waitUntil work of \(request.method) \(request.path) still running \(waitUntilLimit) after the response; cancelled"
                    )
                } : nil
            let elapsed = start.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            metrics.recordRequest(status: response.status, seconds: seconds)
            if logsRequests {
                requestLogger.info(
                    "\(request.method) \(request.target) \(response.status) \(HTTPStatus.reasonPhrase(response.status)) (\(Self.formatMilliseconds(seconds)))"
                )
            }
            if let tail, tail.isObserved, !tail.wantsEvents {
                tail.skip()
            } else if let tail, tail.isObserved {
                // The URL may hold a secret (a token in the query string), as the request line may.
                tail.publish(
                    .request(
                        request, status: response.status, milliseconds: seconds * 1000, worker: workerName, version: logger.metadata["version"],
                        trace: trace, at: env?.clock.now() ?? self.env.clock.now(), redaction: secrets))
            }
            return (response, backgroundTask)
        }
    }

    /// Delivers one batch to the worker's `queue`; what it threw, as text with secret values
    /// replaced (kept with the messages it retries), or nil when it did not throw.
    package func queue(_ batch: MessageBatch) async -> String? {
        let trace = batch.trace ?? .start(using: traceIDs)
        return await TraceContext.$current.withValue(trace) { await queue(batch, trace: trace) }
    }

    private func queue(_ batch: MessageBatch, trace: TraceContext) async -> String? {
        let context = makeContext(trace: trace)
        var thrown: String?
        do {
            try await worker.queue(batch, env: env, ctx: context)
        } catch {
            thrown = secrets.redact("\(error)")
            metrics.recordHandlerError()
            context.logger.error("Uncaught error in queue handler for \"\(batch.queue)\": \(error)")
        }
        await waitForBackgroundWork(of: context, after: "the batch of \"\(batch.queue)\"")
        if let tail, tail.isObserved, !tail.wantsEvents {
            tail.skip()
        } else if let tail, tail.isObserved {
            tail.publish(
                .queueBatch(
                    queue: batch.queue, messages: batch.messages.count, threw: thrown != nil, worker: workerName, version: logger.metadata["version"],
                    trace: trace, at: env.clock.now()))
        }
        return thrown
    }

    /// One run of a cron trigger, as the dashboard shows the last of each.
    package struct ScheduledRun: Sendable {
        /// The time it was scheduled for.
        package var scheduledTime: Date
        /// When the handler (and its `waitUntil` work) finished.
        package var finishedAt: Date
        package var outcome: ScheduledOutcome
    }

    /// The last run of each cron trigger since this runtime started, by its expression.
    package var lastRuns: [String: ScheduledRun] { lastScheduledRuns.withLock { $0 } }

    /// The outcome of a `scheduled` run.
    package enum ScheduledOutcome: String, Sendable {
        case ok
        case exception
    }

    /// Runs the worker's `scheduled` once for `cron` at `time`.
    package func scheduled(cron: String, at time: Date) async -> (outcome: ScheduledOutcome, noRetry: Bool) {
        let trace = TraceContext.start(using: traceIDs)
        return await TraceContext.$current.withValue(trace) { await scheduled(cron: cron, at: time, trace: trace) }
    }

    private func scheduled(cron: String, at time: Date, trace: TraceContext) async -> (outcome: ScheduledOutcome, noRetry: Bool) {
        let context = makeContext(trace: trace)
        let controller = ScheduledController(cron: cron, scheduledTime: time)
        metrics.recordScheduled(cron: cron)
        var outcome = ScheduledOutcome.ok
        do {
            try await worker.scheduled(controller, env: env, ctx: context)
        } catch {
            outcome = .exception
            metrics.recordHandlerError()
            context.logger.error("Uncaught error in scheduled handler for \"\(cron)\": \(error)")
        }
        await waitForBackgroundWork(of: context, after: "the scheduled run \"\(cron)\"")
        logger.info("SCHEDULED \"\(cron)\" \(outcome.rawValue)")
        lastScheduledRuns.withLock { $0[cron] = ScheduledRun(scheduledTime: time, finishedAt: env.clock.now(), outcome: outcome) }
        if let tail, tail.isObserved, !tail.wantsEvents {
            tail.skip()
        } else if let tail, tail.isObserved {
            tail.publish(
                .scheduled(cron: cron, outcome: outcome.rawValue, worker: workerName, version: logger.metadata["version"], trace: trace, at: env.clock.now()))
        }
        return (outcome, controller.noRetryRequested)
    }

    /// Awaits `context`'s `waitUntil` work for at most ``waitUntilLimit``, then cancels it with a warning.
    private func waitForBackgroundWork(of context: ExecutionContext, after what: String) async {
        if await !context.waitForBackgroundWork(atMost: waitUntilLimit) {
            logger.warning("waitUntil work of \(what) still running \(waitUntilLimit) after it returned; cancelled")
        }
    }

    /// `1.23ms`, `45ms`, `1.2s`.
    /// Formatted by hand: this runs once per request, and `String(format:)` costs more than the
    /// rest of the log line.
    package static func formatMilliseconds(_ seconds: Double) -> String {
        let milliseconds = max(0, seconds * 1000)
        if milliseconds < 10 {
            let hundredths = Int((milliseconds * 100).rounded())
            let fraction = hundredths % 100
            return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)ms"
        }
        if milliseconds < 1000 { return "\(Int(milliseconds.rounded()))ms" }
        let tenths = Int((seconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)s"
    }
}
