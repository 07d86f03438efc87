/// An error meant for the HTTP client: it carries its status and a message that is safe to show.
///
/// Throw it from a handler to answer `{"error": message}` with `status`; any other error thrown
/// from a handler becomes a 500 whose details only `drover dev` shows.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The status to answer with.
    public var status: Int
    /// The message for the client.
    public var message: String
    /// Extra headers for the answer (`Allow`, `Retry-After`, ...).
    public var headers: Headers

    /// Creates an error answered with `status` and `{"error": message}`.
    public init(_ status: Int, _ message: String? = nil, headers: Headers = Headers()) {
        self.status = status
        self.message = message ?? HTTPStatus.reasonPhrase(status).lowercased()
        self.headers = headers
    }

    /// The response a client gets.
    public var response: Response {
        var response = Response.error(message, status: status)
        for field in headers { response.headers.append(field.name, field.value) }
        return response
    }

    public var description: String { "\(status) \(message)" }
}

/// An error raised by a binding (KV, D1, Queues), whose message is the platform's wording.
///
/// User code matches on these messages, as it would on the platform, so they are kept verbatim.
public protocol BindingError: Error, Sendable, CustomStringConvertible {
    /// The platform's message, verbatim.
    var message: String { get }
}

extension BindingError {
    public var description: String { message }
}
