/// An error meant for the HTTP client: it carries its status and a message that is safe to show.
///
/// Throw it from a handler to answer `{"error": message}` with `status`; any other error thrown
/// from a handler becomes a 500 whose details only `drover dev` shows. A worker's own error types
/// can choose their answer the same way by adopting ``HTTPResponseError``.
public struct HTTPError: HTTPResponseError, CustomStringConvertible {
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

    public var description: String { "\(status) \(message)" }
}
