import Drover
import DroverIntegrationKit
import Foundation

/// The routes the runtime answers itself, before the worker sees a request:
/// `/__drover/health`, `/__drover/metrics`, `/cdn-cgi/handler/scheduled` and, with
/// `--test-scheduled`, `/__scheduled` (wrangler's names and answers).
///
/// They are reachable by every web page the user opens (a page can make the browser request
/// `localhost`), so they refuse requests a browser makes for another site (``crossSiteRefusal(_:)``),
/// and the scheduled routes take only the cron triggers the config declares and a finite time:
/// nothing a request sends reaches the worker, the log or the metrics unchecked.
package struct InternalRoutes: Sendable {
    /// Whether `/__scheduled` is served (`drover dev --test-scheduled`).
    package var testScheduled: Bool
    /// The worker's name, shown by the health route.
    package var workerName: String
    /// The deployed version, shown by the health route.
    package var version: Int?

    /// The dev server's tails (`/__drover/tail`, for `drover tail`); nil: no such route.
    package var tail: TailHub?

    package init(testScheduled: Bool, workerName: String, version: Int? = nil, tail: TailHub? = nil) {
        self.testScheduled = testScheduled
        self.workerName = workerName
        self.version = version
        self.tail = tail
    }

    /// The latest `time` the scheduled routes accept: 9999-12-31T23:59:59.999Z, in milliseconds.
    package static let latestScheduledTime: Double = 253_402_300_799_999

    /// Whether `request` is for one of these routes.
    package func handles(_ request: Request) -> Bool {
        let path = request.path
        guard path.hasPrefix("/__") || path.hasPrefix("/cdn-cgi/") else { return false }
        switch path {
        case "/__drover/health", "/__drover/metrics", "/cdn-cgi/handler/scheduled": return true
        case "/__drover/tail": return tail != nil
        case "/__scheduled": return testScheduled
        default: return false
        }
    }

    /// Answers `request`, which ``handles(_:)`` accepted; `versions`, the deployed versions
    /// serving now and their shares, for the health route.
    package func respond(to request: Request, host: WorkerHost, versions: [(version: Int?, percentage: Double)] = []) async -> Response {
        if let refusal = Self.crossSiteRefusal(request) { return refusal }
        switch request.path {
        case "/__drover/health":
            var body: JSONObject = ["status": "ok", "worker": .string(workerName)]
            let deployed = versions.filter { $0.version != nil }
            if let version = deployed.first?.version ?? version { body["version"] = .integer(Int64(version)) }
            if !deployed.isEmpty {
                body["versions"] = .array(deployed.map { ["version": .integer(Int64($0.version ?? 0)), "percentage": .double($0.percentage)] })
            }
            body["backgroundTasks"] = .integer(Int64(host.background.count))
            if let tail { body["tails"] = .integer(Int64(tail.count)) }
            return .json(.object(body))
        case "/__drover/metrics":
            return host.metrics.registry.response()
        case "/__drover/tail":
            // `drover tail`: events as JSON lines, for as long as the client stays.
            guard request.method == "GET", let tail else { return .error("GET only", status: 405) }
            return Response(
                status: 200, headers: ["Content-Type": "application/x-ndjson", "Cache-Control": "no-store"],
                body: Body(stream: tail.subscribe(TailHub.Filter(query: request.query))))
        default:  // "/cdn-cgi/handler/scheduled", "/__scheduled"
            let invocation: ScheduledInvocation
            switch Self.scheduledInvocation(request.query, crons: host.cronTriggers, now: host.env.now) {
            case .success(let parsed): invocation = parsed
            case .failure(let refusal): return refusal.response
            }
            let result = await host.scheduled(cron: invocation.cron, at: invocation.time)
            if request.path == "/__scheduled" {
                return result.outcome == .ok ? Response("Ran scheduled event") : Response("Scheduled event failed", status: 500)
            }
            // wrangler: ?cron=<expr>&time=<ms>[&format=json]; 200 "ok" or 500 "exception".
            let status = result.outcome == .ok ? 200 : 500
            if request.query["format"] == "json" {
                return .json(["outcome": .string(result.outcome.rawValue), "noRetry": .bool(result.noRetry)], status: status)
            }
            return Response(result.outcome.rawValue, status: status)
        }
    }

    // MARK: - The scheduled routes' parameters

    /// A validated call of the scheduled handler.
    package struct ScheduledInvocation: Sendable, Equatable {
        /// One of the worker's cron triggers, as the config writes it, or `""` when none was named.
        package var cron: String
        /// When the run is scheduled for.
        package var time: Date
    }

    /// Why a scheduled route refused its parameters: a 400 with a message naming what to change.
    package struct ParameterRefusal: Error, Sendable, Equatable {
        /// What was wrong, without echoing control characters back.
        package var message: String

        var response: Response {
            Response("Bad Request: \(message)\n", status: 400, headers: ["content-type": "text/plain;charset=UTF-8"])
        }
    }

    /// The scheduled routes' `cron` and `time` parameters, checked: `cron` must name one of the
    /// worker's cron triggers (compared with runs of white space as one space; absent or empty
    /// means none, as wrangler sends), and `time`, when given, milliseconds since the epoch written
    /// in decimal, from 0 to ``latestScheduledTime``. Without `time`, the run is for `now`.
    /// - Parameters:
    ///   - crons: the worker's cron triggers, as the config writes them.
    ///   - now: the time of a run the request gives no `time` for.
    package static func scheduledInvocation(
        _ query: QueryParameters,
        crons: [String],
        now: Date
    ) -> Result<ScheduledInvocation, ParameterRefusal> {
        let cron: String
        let requested = normalizedCron(query["cron"] ?? "")
        if requested.isEmpty {
            cron = ""
        } else if let declared = declaredCron(requested, among: crons) {
            cron = declared
        } else {
            let known = crons.isEmpty ? "it declares none" : "it declares " + crons.map { "\"\($0)\"" }.joined(separator: ", ")
            return .failure(
                ParameterRefusal(
                    message: "cron \"\(printable(requested, limit: 100))\" is not one of the worker's cron triggers ([triggers] crons in the config; \(known))"
                )
            )
        }
        var time = now
        if let text = query["time"] {
            guard Self.isDecimal(text), let milliseconds = Double(text), milliseconds.isFinite,
                milliseconds <= latestScheduledTime
            else {
                return .failure(
                    ParameterRefusal(
                        message: "time \"\(printable(text, limit: 40))\" must be milliseconds since 1970-01-01T00:00:00Z, a finite number from 0 to \(Int64(latestScheduledTime))"
                    )
                )
            }
            time = Date(timeIntervalSince1970: milliseconds / 1000)
        }
        return .success(ScheduledInvocation(cron: cron, time: time))
    }

    /// Whether `text` is digits with an optional fraction (`1767225600000`, `12.5`): no sign,
    /// exponent, hex, `nan` or `inf`, all of which `Double.init` would take.
    private static func isDecimal(_ text: String) -> Bool {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
            return false
        }
        return true
    }

    /// `cron` with surrounding white space dropped and inner runs of it made one space.
    /// The declared cron that `cron` names, comparing runs of spaces and tabs as one space (a
    /// config and a URL or fixture may space an expression differently); nil when none does.
    package static func declaredCron(_ cron: String, among crons: [String]) -> String? {
        let wanted = normalizedCron(cron)
        return crons.first { normalizedCron($0) == wanted }
    }

    private static func normalizedCron(_ cron: String) -> String {
        cron.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `text` shortened to `limit` characters, control characters and quotes replaced by `?`.
    private static func printable(_ text: String, limit: Int) -> String {
        let shown = text.unicodeScalars.prefix(limit).map { scalar -> String in
            scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || scalar == "\"" ? "?" : String(scalar)
        }
        return shown.joined() + (text.unicodeScalars.count > limit ? "…" : "")
    }

    // MARK: - Cross-site requests

    /// A 403 for a request a browser made on behalf of a page of another site, `nil` otherwise.
    ///
    /// A page anywhere can make the browser request `http://localhost:8787/cdn-cgi/handler/scheduled`
    /// (an `<img>`, a form, `fetch` in `no-cors` mode): the browser then says so in
    /// `Sec-Fetch-Site` (Fetch Metadata: `cross-site` or `same-site`; `same-origin` and `none`, a
    /// URL typed in the address bar, are the user's own), and older browsers in `Origin`. Tools
    /// such as curl send neither and are answered.
    package static func crossSiteRefusal(_ request: Request) -> Response? {
        let fetchSite = request.headers["sec-fetch-site"]?.lowercased()
        var refused = fetchSite.map { $0 != "same-origin" && $0 != "none" } ?? false
        if !refused, let origin = request.headers["origin"] {
            refused = !isSameOrigin(origin, authority: request.authority)
        }
        guard refused else { return nil }
        return Response(
            """
            Forbidden: Drover's own routes (/__drover/*, the scheduled routes) do not answer requests a web page \
            of another site makes through the browser. Call them with curl, or open them in the address bar.

            """,
            status: 403,
            headers: ["content-type": "text/plain;charset=UTF-8"]
        )
    }

    /// Whether `origin` (`scheme://host[:port]`) names the server the request was sent to.
    private static func isSameOrigin(_ origin: String, authority: String) -> Bool {
        guard let separator = origin.range(of: "://") else { return false }
        return origin[separator.upperBound...].lowercased() == authority.lowercased()
    }
}
