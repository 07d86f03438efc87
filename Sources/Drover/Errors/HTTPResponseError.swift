/// An error that chooses the answer it becomes: its status, its message and its headers
/// (Hummingbird's `HTTPResponseError` idea). Adopt it on a worker's own error types and throw
/// them from a handler or a middleware; the router and the runtime answer them the same way,
/// `{"error": message}` with ``status``.
///
/// ```swift
/// enum OrderError: HTTPResponseError {
///     case notFound(Int)
///     var status: Int { 404 }
///     var message: String { switch self { case .notFound(let id): "no order \(id)" } }
/// }
/// ```
///
/// Any other error a handler throws is a 500: `{"error": "internal server error"}`, with the
/// error's description besides it only under `drover dev` (see ``ErrorResponses``).
public protocol HTTPResponseError: Error, Sendable {
    /// The status to answer with.
    var status: Int { get }
    /// The message for the client, safe to show; by default the status's reason phrase.
    var message: String { get }
    /// Extra headers for the answer (`Allow`, `Retry-After`, `WWW-Authenticate`, ...); none by default.
    var headers: Headers { get }
    /// The answer; by default `{"error": message}` with ``status`` and ``headers``.
    var response: Response { get }
}

extension HTTPResponseError {
    public var message: String { HTTPStatus.reasonPhrase(status).lowercased() }

    public var headers: Headers { Headers() }

    public var response: Response {
        var response = Response.error(message, status: status)
        for field in headers { response.headers.append(field.name, field.value) }
        return response
    }
}
