import Foundation

/// Something that answers requests: the outbound `fetch` of ``Env/fetch`` and service bindings
/// (``Env/service(_:)``), which call another worker in-process.
public protocol Fetcher: Sendable {
    /// Sends `request` and returns the response.
    /// - Parameter timeout: the most time the exchange may take; `nil` for the binding's default.
    /// - Throws: ``FetchError`` for transport failures (timeout, refused connection, DNS).
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response
}

extension Fetcher {
    /// Sends `request` with the binding's default timeout.
    public func fetch(_ request: Request) async throws -> Response {
        try await fetch(request, timeout: nil)
    }

    /// Sends a request to an absolute URL.
    public func fetch(
        _ url: String,
        method: String = "GET",
        headers: Headers = Headers(),
        body: Body = .empty,
        timeout: Duration? = nil
    ) async throws -> Response {
        try await fetch(Request(url: url, method: method, headers: headers, body: body), timeout: timeout)
    }
}
