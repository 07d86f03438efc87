#if canImport(Drover)
import Drover  // Headers.Field; the fuzzer compiles Sources/Drover/HTTP/Headers.swift in instead
#endif

/// A parsed request line and header section, with the framing facts the server needs.
package struct HTTPRequestHead: Sendable {
    /// The method as sent (case-sensitive, RFC 9110 §9.1).
    package var method: String
    /// The request target: origin-form (`/a?b`), `*`, or the path of an absolute-form target.
    package var target: String
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    /// The header fields in order, names lower-cased.
    package var fields: [Headers.Field]
    /// The `Host` value (or the authority of an absolute-form target).
    package var host: String?
    /// Whether the connection stays open after the response (RFC 9112 §9.3).
    package var keepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` (RFC 9110 §10.1.1).
    package var expectsContinue: Bool
    /// The declared body length, when `Content-Length` framed the body.
    package var contentLength: Int?
    /// Whether the body is chunked.
    package var isChunked: Bool

    /// Whether a body follows the head.
    package var hasBody: Bool { isChunked || (contentLength ?? 0) > 0 }

    /// Whether the request method is `HEAD` (the response then has no body, RFC 9110 §9.3.2).
    package var isHead: Bool { method == "HEAD" }
}
