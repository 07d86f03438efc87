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

/// A transport failure of an outbound request. An HTTP error status is not a `FetchError`: it is a
/// response.
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable {
        /// No complete response within the timeout.
        case timeout
        /// The connection was refused, reset or closed early.
        case connection
        /// The host name could not be resolved.
        case dns
        /// The URL is not an absolute http(s) URL.
        case invalidURL
        /// Anything else (TLS, too many redirects).
        case other
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The URL is not an absolute http(s) URL.
    public static func invalidURL(_ url: String) -> FetchError {
        FetchError(kind: .invalidURL, message: "Invalid URL: \(url)")
    }

    public var description: String { "fetch failed (\(kind.rawValue)): \(message)" }
}
