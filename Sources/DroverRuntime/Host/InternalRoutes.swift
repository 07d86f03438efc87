import Drover
import Foundation

/// The routes the runtime answers itself, before the worker sees a request:
/// `/__drover/health`, `/__drover/metrics`, `/cdn-cgi/handler/scheduled` and, with
/// `--test-scheduled`, `/__scheduled` (wrangler's names and answers).
package struct InternalRoutes: Sendable {
    /// Whether `/__scheduled` is served (`drover dev --test-scheduled`).
    package var testScheduled: Bool
    /// The worker's name, shown by the health route.
    package var workerName: String
    /// The deployed version, shown by the health route.
    package var version: Int?

    package init(testScheduled: Bool, workerName: String, version: Int? = nil) {
        self.testScheduled = testScheduled
        self.workerName = workerName
        self.version = version
    }

    /// Whether `request` is for one of these routes.
    package func handles(_ request: Request) -> Bool {
        let path = request.path
        guard path.hasPrefix("/__") || path.hasPrefix("/cdn-cgi/") else { return false }
        switch path {
        case "/__drover/health", "/__drover/metrics", "/cdn-cgi/handler/scheduled": return true
        case "/__scheduled": return testScheduled
        default: return false
        }
    }

    /// Answers `request`, which ``handles(_:)`` accepted.
    package func respond(to request: Request, host: WorkerHost) async -> Response {
        switch request.path {
        case "/__drover/health":
            var body: JSONObject = ["status": "ok", "worker": .string(workerName)]
            if let version { body["version"] = .integer(Int64(version)) }
            body["backgroundTasks"] = .integer(Int64(host.background.count))
            return .json(.object(body))
        case "/__drover/metrics":
            return Response(host.metrics.render(), headers: ["content-type": "text/plain; version=0.0.4; charset=utf-8"])
        case "/cdn-cgi/handler/scheduled":
            // wrangler: ?cron=<expr>&time=<ms>[&format=json]; 200 "ok" or 500 "exception".
            let result = await runScheduled(request, host: host)
            let status = result.outcome == .ok ? 200 : 500
            if request.query["format"] == "json" {
                return .json(["outcome": .string(result.outcome.rawValue), "noRetry": .bool(result.noRetry)], status: status)
            }
            return Response(result.outcome.rawValue, status: status)
        default:  // "/__scheduled"
            let result = await runScheduled(request, host: host)
            return result.outcome == .ok ? Response("Ran scheduled event") : Response("Scheduled event failed", status: 500)
        }
    }

    /// Runs the worker's `scheduled` for the request's `cron`, at its `time` (ms) or now.
    private func runScheduled(_ request: Request, host: WorkerHost) async -> (outcome: WorkerHost.ScheduledOutcome, noRetry: Bool) {
        let query = request.query
        let time = query["time"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) } ?? host.env.now
        return await host.scheduled(cron: query["cron"] ?? "", at: time)
    }
}
