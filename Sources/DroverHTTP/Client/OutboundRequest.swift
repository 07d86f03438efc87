import Drover
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One hop of an outbound fetch: a parsed URL, a method, header fields and a body already in
/// memory, so that a redirect can send it again.
struct OutboundRequest: Sendable {
    /// Statuses that redirect (Fetch standard: "redirect status" is 301, 302, 303, 307 or 308).
    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Request header fields that describe the body, removed when a redirect drops the body
    /// (Fetch standard §4.4 step 12, "request-body-header name").
    static let bodyHeaderNames: Set<String> = [
        "content-encoding", "content-language", "content-location", "content-type",
    ]

    /// Request header fields that are dropped when a redirect leaves the origin. The Fetch standard
    /// (§4.4 step 13) removes `Authorization`; `Cookie` and `Proxy-Authorization` are removed too,
    /// as undici (Node's fetch) does, since a caller-set cookie is as much a credential.
    static let credentialHeaderNames: Set<String> = ["authorization", "cookie", "proxy-authorization"]

    /// Fields the transport owns and never takes from the caller: the URL decides `Host`, the body
    /// decides `Content-Length`, and connection-specific fields are per hop (RFC 9110 §7.6.1,
    /// §8.6; Fetch standard "forbidden request-header name").
    static let transportHeaderNames: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade",
        "expect",
    ]

    var url: URL
    var method: String
    var headers: Headers
    var body: [UInt8]

    /// Checks `request`'s URL (an absolute http(s) URL with a host) and takes its parts.
    /// - Throws: ``FetchError`` (`invalidURL`).
    init(_ request: Request, body: [UInt8]) throws {
        guard let url = Self.httpURL(request.url) else {
            throw FetchError(kind: .invalidURL, message: "Invalid URL: \(Self.redacted(request.url))")
        }
        self.url = url
        self.method = request.method.uppercased()
        self.headers = request.headers
        self.body = body
        if !body.isEmpty && (method == "GET" || method == "HEAD") {
            // Fetch standard, `new Request()` step 36: a GET or HEAD request has no body.
            throw FetchError(kind: .other, message: "Request with a GET or HEAD method cannot have a body.")
        }
    }

    /// `text` as a URL when it is an absolute http(s) URL with a host.
    static func httpURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return nil }
        return url
    }

    /// The URL without user info, query and fragment, for error messages: a query often carries an
    /// API key, user info a password.
    static func redacted(_ text: String) -> String {
        var text = Substring(text)
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
        if let schemeEnd = text.range(of: "://") {
            let rest = text[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                return String(text[..<schemeEnd.upperBound]) + String(rest[rest.index(after: at)...])
            }
        }
        return String(text)
    }

    /// The method and redacted URL, for error messages.
    var summary: String { method + " " + Self.redacted(url.absoluteString) }

    /// The `URLRequest` for this hop. Every caller field is passed on except ``transportHeaderNames``;
    /// URLSession and libcurl add their own (see ``URLSessionFetcher``).
    func urlRequest(timeout: TimeInterval) -> URLRequest {
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = method
        for field in headers where !Self.transportHeaderNames.contains(field.name) {
            urlRequest.addValue(field.value, forHTTPHeaderField: field.name)
        }
        if !body.isEmpty { urlRequest.httpBody = Data(body) }
        return urlRequest
    }

    /// The request for the hop after a redirect response, following the Fetch standard §4.4
    /// "HTTP-redirect fetch", or `nil` when `status` is not a redirect or there is no `Location`
    /// (the response is then final).
    /// - Throws: ``FetchError`` (`invalidURL`) when `Location` is not an http(s) URL.
    func redirected(status: Int, location: String?) throws -> OutboundRequest? {
        guard Self.redirectStatuses.contains(status), let location else { return nil }
        guard let resolved = URL(string: location, relativeTo: url)?.absoluteURL,
            let target = Self.httpURL(resolved.absoluteString)
        else {
            throw FetchError(kind: .invalidURL, message: "\(summary) redirected to an invalid URL: \(Self.redacted(location))")
        }
        var next = self
        next.url = target
        // Step 12: 301/302 turn POST into GET; 303 turns anything but GET/HEAD into GET. The body
        // and the fields describing it go.
        if ((status == 301 || status == 302) && method == "POST") || (status == 303 && method != "GET" && method != "HEAD") {
            next.method = "GET"
            next.body = []
            for name in Self.bodyHeaderNames { next.headers.remove(name) }
        }
        // Step 13: credentials do not cross to another origin.
        if !Self.sameOrigin(url, target) {
            for name in Self.credentialHeaderNames { next.headers.remove(name) }
        }
        return next
    }

    /// Whether two URLs have the same origin (scheme, host, port; RFC 6454 §5).
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && effectivePort(a) == effectivePort(b)
    }

    private static func effectivePort(_ url: URL) -> Int? {
        if let port = url.port { return port }
        switch url.scheme?.lowercased() {
        case "http": return 80
        case "https": return 443
        default: return nil
        }
    }
}
