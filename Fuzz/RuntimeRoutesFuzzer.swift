// libFuzzer entry point for what the runtime's own routes take from a request (not part of any
// target). Build and run: see Fuzz/README.md, section "Runtime routes".
//
// Each input is read as a query string, a Host value, an Origin and Sec-Fetch-Site pair, a cron
// label and a log message, and goes through what `drover dev` does with them before the worker:
// the scheduled routes' parameter checks, the Host syntax check and allowlist, the cross-site
// check, the metrics page and the text log line. Oracles, besides not crashing (ASan):
// - an accepted scheduled call names a declared cron (or none) and a finite time in range;
// - every line of the metrics page is a comment or a sample whose label values are escaped;
// - a text log line holds no control character.

import DroverHTTP
import DroverRuntime
import Drover
import Foundation

private let crons = ["*/5 * * * *", "0 0 * * 1"]
private let epoch = Date(timeIntervalSince1970: 0)

@_cdecl("LLVMFuzzerTestOneInput")
public func runtimeRoutesFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)

    // The scheduled routes' parameters, from the query string as the server parses it.
    let request = Request(method: "GET", target: "/cdn-cgi/handler/scheduled?" + text)
    switch InternalRoutes.scheduledInvocation(request.query, crons: crons, now: epoch) {
    case .success(let invocation):
        precondition(invocation.cron.isEmpty || crons.contains(invocation.cron), "accepted cron \(invocation.cron)")
        let milliseconds = invocation.time.timeIntervalSince1970 * 1000
        precondition(milliseconds.isFinite && milliseconds >= 0 && milliseconds <= InternalRoutes.latestScheduledTime)
    case .failure(let refusal):
        precondition(!refusal.message.unicodeScalars.contains { $0.value < 0x20 }, "control character in \(refusal.message)")
    }

    // Host: the parser's syntax check, then the allowlist (which must not trap on what passed it).
    if HTTPRequestParser.isValidHost(text) {
        _ = HostAllowlist(boundHost: "127.0.0.1", allowed: ["app.test", ".dev.test"]).allows(text)
        _ = HostAllowlist(boundHost: "0.0.0.0", allowed: []).allows(text)
    }

    // Cross-site: the input split into an Origin and a Sec-Fetch-Site value.
    let half = text.unicodeScalars.count / 2
    let origin = String(String.UnicodeScalarView(text.unicodeScalars.prefix(half)))
    let site = String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(half)))
    var headers = Headers()
    headers.append("origin", origin)
    headers.append("sec-fetch-site", site)
    _ = InternalRoutes.crossSiteRefusal(Request(method: "GET", authority: "localhost:8787", target: "/__drover/health", headers: headers))

    // The metrics page: a label value from the input never starts a line of its own.
    let metrics = RuntimeMetrics()
    metrics.recordScheduled(cron: text)
    metrics.recordBatch(queue: text, acked: 1, retried: 0)
    for line in metrics.render().split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
        precondition(line.hasPrefix("# ") || line.hasPrefix("drover_"), "metrics line: \(line)")
    }

    // The text log line.
    let record = LogRecord(date: epoch, level: .info, label: "fuzz", message: text, metadata: ["cron": text])
    for byte in StandardErrorLogSink.textLine(record) {
        precondition(byte >= 0x20 && byte != 0x7F, "control byte \(byte) in a log line")
    }
    return 0
}
