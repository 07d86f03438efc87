/// An HTTP request as a Workers handler sees it: method, absolute URL, headers, body.
///
/// The URL is kept in parts (scheme, authority, target) so the server never builds or parses a
/// `Foundation.URL` on the hot path; ``url`` assembles the absolute form on demand.
public struct Request: Sendable {
    /// The method, upper-case as sent (`GET`, `POST`, ...).
    public var method: String
    /// `http` or `https`.
    public var scheme: String
    /// `host[:port]`.
    public var authority: String
    /// The path and query as sent (`/kv/a%20b?ttl=60`), always starting with `/`.
    public var target: String
    /// The header fields.
    public var headers: Headers
    /// The body.
    public var body: Body
    /// Parameters captured by the ``Router`` (`:name` segments, `*` for the rest), percent-decoded.
    public var params: [String: String] = [:]
    /// The address of the client that sent the request (`127.0.0.1`, `::1`), as the server's socket
    /// saw it; nil for a request that did not come over a socket (replay, tests). `drover dev` also
    /// puts it in `CF-Connecting-IP`, as the platform does.
    public var remoteAddress: String?

    /// Creates a request from its parts.
    public init(
        method: String = "GET",
        scheme: String = "http",
        authority: String = "localhost",
        target: String = "/",
        headers: Headers = Headers(),
        body: Body = .empty
    ) {
        self.method = method
        self.scheme = scheme
        self.authority = authority
        self.target = target.isEmpty ? "/" : target
        self.headers = headers
        self.body = body
    }

    /// Creates a request for an absolute URL (`https://api.example.test/v1?x=1`), as outbound `fetch`
    /// takes it.
    /// - Throws: ``FetchError`` (`invalidURL`) when `url` is not an absolute http(s) URL.
    public init(url: String, method: String = "GET", headers: Headers = Headers(), body: Body = .empty) throws {
        guard let schemeEnd = url.range(of: "://") else { throw FetchError.invalidURL(url) }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw FetchError.invalidURL(url) }
        let rest = url[schemeEnd.upperBound...]
        let targetStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = String(rest[..<targetStart])
        guard !authority.isEmpty else { throw FetchError.invalidURL(url) }
        var target = String(rest[targetStart...])
        if let fragment = target.firstIndex(of: "#") { target = String(target[..<fragment]) }
        if target.hasPrefix("?") { target = "/" + target }
        self.init(method: method.uppercased(), scheme: scheme, authority: authority, target: target, headers: headers, body: body)
    }

    /// The absolute URL (Fetch `request.url`).
    public var url: String {
        scheme + "://" + authority + target
    }

    /// The path without the query, still percent-encoded.
    public var path: String {
        if let question = target.firstIndex(of: "?") { return String(target[..<question]) }
        return target
    }

    /// The query string without `?`, or `""`.
    public var queryString: String {
        if let question = target.firstIndex(of: "?") { return String(target[target.index(after: question)...]) }
        return ""
    }

    /// The query parameters, percent-decoded (`+` as space), in order (`URLSearchParams`).
    public var query: QueryParameters {
        QueryParameters(queryString)
    }

    /// The value of the router parameter `name`.
    public func param(_ name: String) -> String? {
        params[name]
    }

    /// Reads the whole body.
    public func bytes() async throws -> [UInt8] { try await body.bytes() }
    /// Reads the whole body as UTF-8 text.
    public func text() async throws -> String { try await body.text() }
    /// Reads the whole body as JSON.
    /// - Throws: ``HTTPError`` 400 `invalid JSON body: not JSON: LINE:COLUMN: ...` when it is not
    ///   JSON, so a ``Router`` (and the runtime) answer it as the client's mistake, as
    ///   ``json(as:)`` does.
    public func json() async throws -> JSONValue {
        do {
            return try await body.json()
        } catch let error as JSONParseError {
            throw HTTPError(400, "invalid JSON body: not JSON: \(error)")
        }
    }
    /// Reads the whole body as JSON decoded into `T`, through `JSONDecoder`.
    /// - Throws: ``HTTPError`` 400 `invalid JSON body: <where>: <why>` when the body is not JSON or
    ///   not a `T` (`invalid JSON body: items[0].price: Expected to decode Double but found a string
    ///   instead.`, `invalid JSON body: missing key "email"`), so a ``Router`` answers it as the
    ///   client's mistake.
    public func json<T: Decodable>(as type: T.Type) async throws -> T {
        let bytes = try await body.bytes()
        do {
            return try JSONCoding.decode(T.self, from: bytes)
        } catch let error as DecodingError {
            throw HTTPError(400, "invalid JSON body: " + JSONCoding.describe(error, in: bytes))
        }
    }
}
