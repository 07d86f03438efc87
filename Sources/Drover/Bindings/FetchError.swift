import Foundation

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
