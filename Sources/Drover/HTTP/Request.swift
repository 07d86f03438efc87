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

/// Query parameters in order, `URLSearchParams`-style.
public struct QueryParameters: Sendable, Sequence {
    /// The name-value pairs, in order, decoded.
    public let pairs: [(name: String, value: String)]

    /// Parses a query string (without `?`).
    public init(_ query: String) {
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: "=") {
                pairs.append((PercentEncoding.decodeForm(part[..<equals]), PercentEncoding.decodeForm(part[part.index(after: equals)...])))
            } else {
                pairs.append((PercentEncoding.decodeForm(part), ""))
            }
        }
        self.pairs = pairs
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value of `name`.
    public func all(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        pairs.makeIterator()
    }
}

/// Percent-encoding and decoding (RFC 3986 §2.1).
public enum PercentEncoding {
    /// Decodes `%XX` sequences; invalid sequences stay as they are. Bytes that are not UTF-8
    /// become U+FFFD.
    public static func decode<S: StringProtocol>(_ text: S) -> String {
        String(decoding: decodeBytes(text, plusAsSpace: false), as: UTF8.self)
    }

    /// Decodes `%XX` sequences and `+` as space (`application/x-www-form-urlencoded`).
    public static func decodeForm<S: StringProtocol>(_ text: S) -> String {
        String(decoding: decodeBytes(text, plusAsSpace: true), as: UTF8.self)
    }

    /// Decodes `%XX` sequences into raw bytes.
    public static func decodeBytes<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> [UInt8] {
        let input = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// Encodes everything but RFC 3986 unreserved characters.
    public static func encode<S: StringProtocol>(_ text: S) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(UnicodeScalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
