/// An HTTP response as a Workers handler returns it.
public struct Response: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields.
    public var headers: Headers
    /// The body; a stream is sent with chunked encoding unless its length is known.
    public var body: Body

    /// Creates a response from its parts.
    public init(status: Int = 200, headers: Headers = Headers(), body: Body = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text response, `content-type: text/plain;charset=UTF-8` (as `new Response("...")`).
    public init(_ text: String, status: Int = 200, headers: Headers = Headers()) {
        var headers = headers
        if !headers.contains("content-type") { headers.set("content-type", "text/plain;charset=UTF-8") }
        self.init(status: status, headers: headers, body: Body(text: text))
    }

    /// A JSON response, `content-type: application/json` (as `Response.json(value)`).
    ///
    /// `value` is usually a literal of plain Swift values, written in source order:
    /// `.json(["hello": name, "visits": visits, "tags": tags, "email": nil])`
    /// (see ``JSONValueConvertible``).
    public static func json(_ value: JSONValue, status: Int = 200, headers: Headers = Headers()) -> Response {
        json(bytes: JSONSerializer.bytes(value), status: status, headers: headers)
    }

    /// A JSON response of an `Encodable` value, written by `JSONEncoder` straight into the body:
    /// keys sorted (`JSONEncoder` keeps no order of its own), `/` not escaped.
    /// - Throws: `EncodingError` when the value cannot be encoded (a NaN, an encoder's own error).
    public static func json<T: Encodable>(encoding value: T, status: Int = 200, headers: Headers = Headers()) throws -> Response {
        json(bytes: try JSONCoding.encode(value), status: status, headers: headers)
    }

    private static func json(bytes: [UInt8], status: Int, headers: Headers) -> Response {
        var headers = headers
        if !headers.contains("content-type") { headers.set("content-type", "application/json") }
        return Response(status: status, headers: headers, body: Body(bytes: bytes))
    }

    /// A redirect to `location` (as `Response.redirect`), 302 by default.
    public static func redirect(_ location: String, status: Int = 302, headers: Headers = Headers()) -> Response {
        var headers = headers
        headers.set("location", location)
        return Response(status: status, headers: headers)
    }

    /// The JSON error answer `{"error": message}` used across Drover's workers.
    public static func error(_ message: String, status: Int) -> Response {
        json(.object(JSONObject([("error", .string(message))])), status: status)
    }

    /// Whether the status is 2xx (Fetch `response.ok`).
    public var ok: Bool { (200...299).contains(status) }

    /// The standard reason phrase of the status.
    public var statusText: String { HTTPStatus.reasonPhrase(status) }

    /// Reads the whole body.
    public func bytes() async throws -> [UInt8] { try await body.bytes() }
    /// Reads the whole body as UTF-8 text.
    public func text() async throws -> String { try await body.text() }
    /// Reads the whole body as JSON.
    public func json() async throws -> JSONValue { try await body.json() }
    /// Reads the whole body as JSON decoded into `T`.
    public func json<T: Decodable>(as type: T.Type) async throws -> T { try await body.json(as: T.self) }
}

/// Status codes' reason phrases (RFC 9110 §15; 428, 429, 431 and 511 from RFC 6585, 451 from RFC 7725).
public enum HTTPStatus {
    /// The reason phrase for `status`, or `""` for an unknown code.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 203: "Non-Authoritative Information"
        case 204: "No Content"
        case 205: "Reset Content"
        case 206: "Partial Content"
        case 300: "Multiple Choices"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 305: "Use Proxy"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 407: "Proxy Authentication Required"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 416: "Range Not Satisfiable"
        case 417: "Expectation Failed"
        case 421: "Misdirected Request"
        case 422: "Unprocessable Content"
        case 426: "Upgrade Required"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 451: "Unavailable For Legal Reasons"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        case 511: "Network Authentication Required"
        default: ""
        }
    }
}
