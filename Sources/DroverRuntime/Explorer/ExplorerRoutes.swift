import Drover
import Foundation

/// The local dashboard `drover dev` serves at `/cdn-cgi/explorer/` (and Miniflare 5's
/// `/cdn-cgi/local/explorer/`): server-rendered pages, one small script, and the JSON API
/// (``ExplorerAPI``) under `api/`.
///
/// Every web page the user opens can make the browser reach this port, so:
/// - the server's `Host` allowlist applies, as to every request (a DNS-rebinding page is refused);
/// - a request a browser makes for a page of another site (`Sec-Fetch-Site`, `Origin`) is refused,
///   pages included, as for the runtime's other routes;
/// - every request that changes state (any method but GET and HEAD) carries the session's token
///   in `X-Drover-Explorer-Token`, which only the dashboard's own pages hold;
/// - the pages may not be framed (`frame-ancestors 'none'`), and run only this origin's script;
/// - secret values are never sent: bindings list secrets by name.
package struct ExplorerRoutes: Sendable {
    /// The paths the dashboard is served under.
    package static let prefixes = ["/cdn-cgi/explorer", "/cdn-cgi/local/explorer"]

    package let context: ExplorerContext

    package init(context: ExplorerContext) {
        self.context = context
    }

    /// Whether `request` is for the dashboard.
    package func handles(_ request: Request) -> Bool {
        Self.prefix(of: request.path) != nil
    }

    private static func prefix(of path: String) -> String? {
        prefixes.first { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// Answers `request`, which ``handles(_:)`` accepted, from `runtime`'s bindings.
    package func respond(to request: Request, runtime: WorkerRuntime, shares: [(version: Int?, percentage: Double)] = []) async -> Response {
        if let refusal = InternalRoutes.crossSiteRefusal(request) { return refusal }
        guard let prefix = Self.prefix(of: request.path) else { return .error("Not Found", status: 404) }
        let rest = request.path.dropFirst(prefix.count)
        if rest.isEmpty { return .redirect(prefix + "/", status: 308) }
        var segments: [String] = []
        for raw in rest.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let decoded = String(raw).removingPercentEncoding else {
                return .error("Bad Request: a path segment is not percent-encoded UTF-8", status: 400)
            }
            segments.append(decoded)
        }
        if segments.last == "" { segments.removeLast() }
        let api = ExplorerAPI(runtime: runtime, context: context, shares: shares)
        if segments.first == "api" {
            if request.method != "GET", request.method != "HEAD", !context.accepts(request.headers[ExplorerContext.tokenHeader]) {
                return CloudflareEnvelope.failure(
                    code: 10000,
                    "Forbidden: a request that changes state must carry the X-Drover-Explorer-Token header of the dashboard's pages",
                    status: 403
                )
            }
            return await api.respond(method: request.method == "HEAD" ? "GET" : request.method, path: Array(segments.dropFirst()), request: request)
        }
        guard request.method == "GET" || request.method == "HEAD" else { return .error("Method Not Allowed", status: 405) }
        switch segments {
        case ["assets", "explorer.js"]:
            return Response(ExplorerAssets.script, headers: ["Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store"])
        case ["assets", "explorer.css"]:
            return Response(ExplorerAssets.stylesheet, headers: ["Content-Type": "text/css; charset=utf-8", "Cache-Control": "no-store"])
        default:
            let pages = ExplorerPages(api: api, base: prefix + "/", query: request.query)
            do {
                guard let html = try await pages.render(segments) else { return .error("Not Found", status: 404) }
                return Response(html, headers: Self.pageHeaders)
            } catch let refusal as ExplorerRefusal {
                return Response(
                    pages.layout(title: "Error", body: "<p class=error>\(HTMLEscaping.escape(refusal.message))</p>"),
                    status: refusal.status,
                    headers: Self.pageHeaders
                )
            } catch {
                return Response(
                    pages.layout(title: "Error", body: "<p class=error>\(HTMLEscaping.escape("\(error)"))</p>"),
                    status: 500,
                    headers: Self.pageHeaders
                )
            }
        }
    }

    static let pageHeaders: Headers = [
        "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
    ]
}
