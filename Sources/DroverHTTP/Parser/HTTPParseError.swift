/// Why a request could not be parsed, with the status the client gets.
///
/// A struct wrapping a private code, so cases can be added without breaking callers (Hummingbird's
/// `PersistError` shape). Every case is answered with its ``status`` and `Connection: close`, then
/// the connection is closed: after a framing error the next request's start cannot be trusted
/// (RFC 9112 §11.2, request smuggling).
package struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case requestLineTooLong, headersTooLarge, tooManyHeaders, contentTooLarge
        case malformedRequestLine, unsupportedVersion, bareLineFeed, bareCarriageReturn
        case invalidHeaderName, invalidHeaderValue, obsoleteLineFolding
        case invalidContentLength, duplicateContentLength, contentLengthWithTransferEncoding
        case transferEncodingNotChunked, unsupportedTransferCoding, transferEncodingInHTTP10
        case missingHost, duplicateHost, invalidHost, unsupportedExpectation
        case invalidChunkSize, chunkSizeOverflow, chunkLineTooLong, missingChunkTerminator
    }

    private let code: Code
    /// A short description for logs (never contains request bytes).
    package let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The status answered for this error.
    package var status: Int {
        switch code {
        case .requestLineTooLong: 414
        case .headersTooLarge, .tooManyHeaders: 431
        case .contentTooLarge: 413
        case .unsupportedVersion: 505
        case .unsupportedTransferCoding: 501
        case .unsupportedExpectation: 417
        default: 400
        }
    }

    package var description: String { "\(status) \(message)" }

    package static func == (lhs: HTTPParseError, rhs: HTTPParseError) -> Bool { lhs.code == rhs.code }

    /// The request line is longer than the limit (RFC 9112 §3: 414 for a too-long target).
    package static func requestLineTooLong(limit: Int) -> Self {
        Self(.requestLineTooLong, "request line longer than \(limit) bytes")
    }
    /// The header section is larger than the limit (RFC 6585 §5).
    package static func headersTooLarge(limit: Int) -> Self {
        Self(.headersTooLarge, "header section larger than \(limit) bytes")
    }
    /// More header fields than the limit (RFC 6585 §5).
    package static func tooManyHeaders(limit: Int) -> Self {
        Self(.tooManyHeaders, "more than \(limit) header fields")
    }
    /// The body is larger than the limit (RFC 9110 §15.5.14).
    package static func contentTooLarge(limit: Int) -> Self {
        Self(.contentTooLarge, "body larger than \(limit) bytes")
    }
    /// The request line is not `method SP target SP version` (RFC 9112 §3).
    package static let malformedRequestLine = Self(.malformedRequestLine, "malformed request line")
    /// A well-formed version other than HTTP/1.0 and HTTP/1.1 (RFC 9110 §15.6.6).
    package static let unsupportedVersion = Self(.unsupportedVersion, "HTTP version not supported")
    /// LF without CR where CRLF is required (RFC 9112 §2.2, refused to avoid smuggling).
    package static let bareLineFeed = Self(.bareLineFeed, "bare LF where CRLF is required")
    /// CR not followed by LF (RFC 9112 §2.2).
    package static let bareCarriageReturn = Self(.bareCarriageReturn, "bare CR")
    /// A field name that is not a token, or whitespace before the colon (RFC 9112 §5.1).
    package static let invalidHeaderName = Self(.invalidHeaderName, "invalid header field name")
    /// A field value with control characters (RFC 9110 §5.5).
    package static let invalidHeaderValue = Self(.invalidHeaderValue, "invalid header field value")
    /// A line starting with whitespace (obs-fold, RFC 9112 §5.2).
    package static let obsoleteLineFolding = Self(.obsoleteLineFolding, "obsolete line folding")
    /// `Content-Length` that is not 1*DIGIT or overflows (RFC 9110 §8.6).
    package static let invalidContentLength = Self(.invalidContentLength, "invalid Content-Length")
    /// More than one `Content-Length` field (RFC 9112 §6.3; refused like swift-nio does).
    package static let duplicateContentLength = Self(.duplicateContentLength, "more than one Content-Length")
    /// Both `Content-Length` and `Transfer-Encoding` (RFC 9112 §6.1, §6.3 item 3).
    package static let contentLengthWithTransferEncoding = Self(
        .contentLengthWithTransferEncoding,
        "both Content-Length and Transfer-Encoding"
    )
    /// `Transfer-Encoding` whose final coding is not `chunked` (RFC 9112 §6.3 item 4).
    package static let transferEncodingNotChunked = Self(
        .transferEncodingNotChunked,
        "Transfer-Encoding does not end with chunked"
    )
    /// A transfer coding other than `chunked` (RFC 9112 §6.1: 501).
    package static let unsupportedTransferCoding = Self(.unsupportedTransferCoding, "unsupported transfer coding")
    /// `Transfer-Encoding` in an HTTP/1.0 request (RFC 9112 §6.1: faulty framing).
    package static let transferEncodingInHTTP10 = Self(.transferEncodingInHTTP10, "Transfer-Encoding in HTTP/1.0")
    /// An HTTP/1.1 request without `Host` (RFC 9112 §3.2).
    package static let missingHost = Self(.missingHost, "missing Host")
    /// More than one `Host` field (RFC 9112 §3.2).
    package static let duplicateHost = Self(.duplicateHost, "more than one Host")
    /// A `Host` (or absolute-form authority) that is not `uri-host [":" port]` (RFC 9112 §3.2,
    /// RFC 3986 §3.2.2): a request with an invalid Host field value gets 400.
    package static let invalidHost = Self(.invalidHost, "invalid Host")
    /// `Expect` other than `100-continue` (RFC 9110 §10.1.1: 417).
    package static let unsupportedExpectation = Self(.unsupportedExpectation, "unsupported Expect")
    /// A chunk size that is not 1*HEXDIG [chunk-ext] (RFC 9112 §7.1).
    package static let invalidChunkSize = Self(.invalidChunkSize, "invalid chunk size")
    /// A chunk size that does not fit in 64 bits.
    package static let chunkSizeOverflow = Self(.chunkSizeOverflow, "chunk size overflow")
    /// A chunk-size line longer than the parser accepts.
    package static let chunkLineTooLong = Self(.chunkLineTooLong, "chunk size line too long")
    /// Chunk data not followed by CRLF (RFC 9112 §7.1).
    package static let missingChunkTerminator = Self(.missingChunkTerminator, "chunk data not followed by CRLF")
}
