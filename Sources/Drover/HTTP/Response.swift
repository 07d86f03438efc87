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
