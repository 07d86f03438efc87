import Testing

@testable import DroverHTTP

/// Framing and smuggling cases, ported from swift-nio `Tests/NIOHTTP1Tests/HTTPDecoderLengthTest.swift`
/// and extended with the framing rules of RFC 9112 §6.1, §6.3 and §11.2.
@Suite("HTTP framing and smuggling")
struct HTTPFramingTests {
    struct Refused: Sendable, CustomTestStringConvertible {
        var name: String
        var request: String
        var error: HTTPParseError
        var testDescription: String { name }
    }

    static let refused: [Refused] = [
        // From swift-nio's HTTPDecoderLengthTest.
        .init(
            name: "TE and CL",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
            error: .contentLengthWithTransferEncoding
        ),
        .init(
            name: "CL and TE",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
            error: .contentLengthWithTransferEncoding
        ),
        .init(
            name: "different lengths in one field",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4, 5\r\n\r\n",
            error: .invalidContentLength
        ),
        .init(
            name: "different lengths on two lines",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n",
            error: .duplicateContentLength
        ),
        .init(
            name: "non-numeric length",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: pie\r\n\r\n",
            error: .invalidContentLength
        ),
        .init(
            name: "identical lengths in one field",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4, 4\r\n\r\n",
            error: .invalidContentLength
        ),
        .init(
            name: "identical length fields",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\n",
            error: .duplicateContentLength
        ),
        .init(
            name: "chunked first",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            error: .transferEncodingNotChunked
        ),
        .init(
            name: "chunked in the middle",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked, deflate\r\n\r\n",
            error: .transferEncodingNotChunked
        ),
        // Length syntax (RFC 9110 §8.6).
        .init(name: "negative length", request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", error: .invalidContentLength),
        .init(name: "signed length", request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +4\r\n\r\n", error: .invalidContentLength),
        .init(name: "hex length", request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", error: .invalidContentLength),
        .init(name: "empty length", request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", error: .invalidContentLength),
        .init(
            name: "length with inner space",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n",
            error: .invalidContentLength
        ),
        .init(
            name: "overflowing length",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            error: .invalidContentLength
        ),
        // Transfer codings (RFC 9112 §6.1).
        .init(
            name: "chunked twice",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            error: .transferEncodingNotChunked
        ),
        .init(
            name: "chunked on two lines",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            error: .transferEncodingNotChunked
        ),
        .init(
            name: "identity",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n",
            error: .transferEncodingNotChunked
        ),
        .init(
            name: "unknown coding before chunked (501)",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            error: .unsupportedTransferCoding
        ),
        .init(name: "TE in HTTP/1.0", request: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", error: .transferEncodingInHTTP10),
        .init(
            name: "TE with trailing junk",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunkedx\r\n\r\n",
            error: .transferEncodingNotChunked
        ),
        // Line endings (RFC 9112 §2.2).
        .init(name: "bare LF after request line", request: "GET / HTTP/1.1\nHost: h\r\n\r\n", error: .bareLineFeed),
        .init(name: "bare LF after a field", request: "GET / HTTP/1.1\r\nHost: h\n\r\n", error: .bareLineFeed),
        .init(name: "bare LF ending the head", request: "GET / HTTP/1.1\r\nHost: h\r\n\n", error: .bareLineFeed),
        .init(name: "bare CR in a field", request: "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", error: .bareCarriageReturn),
        // Field syntax (RFC 9112 §5).
        .init(name: "obs-fold", request: "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", error: .obsoleteLineFolding),
        .init(name: "obs-fold with tab", request: "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", error: .obsoleteLineFolding),
        .init(
            name: "space before colon",
            request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 4\r\n\r\nabcd",
            error: .invalidHeaderName
        ),
        .init(name: "non-token name", request: "GET / HTTP/1.1\r\nHost: h\r\nX(y): z\r\n\r\n", error: .invalidHeaderName),
        .init(name: "empty name", request: "GET / HTTP/1.1\r\nHost: h\r\n: z\r\n\r\n", error: .invalidHeaderName),
        .init(name: "no colon", request: "GET / HTTP/1.1\r\nHost: h\r\nJunk\r\n\r\n", error: .invalidHeaderName),
        .init(name: "NUL in a value", request: "GET / HTTP/1.1\r\nHost: h\r\nX: a\u{0}b\r\n\r\n", error: .invalidHeaderValue),
        // Chunks (RFC 9112 §7.1).
        .init(
            name: "non-hex chunk size",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            error: .invalidChunkSize
        ),
        .init(
            name: "negative chunk size",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
            error: .invalidChunkSize
        ),
        .init(
            name: "empty chunk size",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
            error: .invalidChunkSize
        ),
        .init(
            name: "chunk size overflow",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
            error: .chunkSizeOverflow
        ),
        .init(
            name: "chunk size 0x prefix",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n",
            error: .invalidChunkSize
        ),
        .init(
            name: "bare LF after chunk size",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n",
            error: .bareLineFeed
        ),
        .init(
            name: "chunk longer than its size",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
            error: .missingChunkTerminator
        ),
        .init(
            name: "bare LF after chunk data",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
            error: .missingChunkTerminator
        ),
        .init(
            name: "obs-fold in trailers",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: a\r\n b\r\n\r\n",
            error: .obsoleteLineFolding
        ),
        // Request line and Host (RFC 9112 §3).
        .init(name: "HTTP/1.1 without Host", request: "GET / HTTP/1.1\r\n\r\n", error: .missingHost),
        .init(name: "two Host fields", request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", error: .duplicateHost),
        .init(name: "HTTP/2.0 on HTTP/1 framing (505)", request: "GET / HTTP/2.0\r\nHost: h\r\n\r\n", error: .unsupportedVersion),
        .init(name: "lower-case version", request: "GET / http/1.1\r\nHost: h\r\n\r\n", error: .malformedRequestLine),
        .init(name: "two spaces", request: "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", error: .malformedRequestLine),
        .init(name: "missing version", request: "GET /\r\nHost: h\r\n\r\n", error: .malformedRequestLine),
        .init(name: "non-token method", request: "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", error: .malformedRequestLine),
        .init(name: "control byte in target", request: "GET /a\u{7F}b HTTP/1.1\r\nHost: h\r\n\r\n", error: .malformedRequestLine),
        .init(name: "authority-form target", request: "CONNECT example.test:443 HTTP/1.1\r\nHost: h\r\n\r\n", error: .malformedRequestLine),
        .init(name: "unknown expectation (417)", request: "GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", error: .unsupportedExpectation),
    ]

    @Test("refused with the right error, whole and byte by byte", arguments: refused)
    func refusedRequests(_ testCase: Refused) {
        for split in [Int.max, 1] {
            let outcome = ParserHarness.parse(testCase.request, split: split)
            #expect(outcome.error == testCase.error, "split \(split)")
            #expect(outcome.requests.isEmpty, "split \(split)")
        }
    }

    @Test("refusals carry their status")
    func statuses() {
        #expect(HTTPParseError.contentLengthWithTransferEncoding.status == 400)
        #expect(HTTPParseError.unsupportedTransferCoding.status == 501)
        #expect(HTTPParseError.unsupportedVersion.status == 505)
        #expect(HTTPParseError.unsupportedExpectation.status == 417)
        #expect(HTTPParseError.obsoleteLineFolding.status == 400)
    }

    struct Accepted: Sendable, CustomTestStringConvertible {
        var name: String
        var request: String
        var body: String
        var testDescription: String { name }
    }

    static let accepted: [Accepted] = [
        // swift-nio: a request without any length has no body.
        .init(name: "no length is zero length", request: "POST / HTTP/1.1\r\nHost: example.org\r\n\r\n", body: ""),
        .init(name: "zero length", request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", body: ""),
        .init(
            name: "case-insensitive chunked",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ChUnKeD\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            body: "ok"
        ),
        .init(
            name: "upper-case hex",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
            body: "0123456789"
        ),
        .init(
            name: "leading zeros in chunk size",
            request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000000002\r\nok\r\n0\r\n\r\n",
            body: "ok"
        ),
        .init(name: "obs-text in a value", request: "GET / HTTP/1.1\r\nHost: h\r\nX: caf\u{E9}\r\n\r\n", body: ""),
        .init(name: "HTTP/1.0 without Host", request: "GET / HTTP/1.0\r\n\r\n", body: ""),
        .init(name: "OPTIONS *", request: "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", body: ""),
    ]

    @Test("accepted framing, whole and byte by byte", arguments: accepted)
    func acceptedRequests(_ testCase: Accepted) {
        for split in [Int.max, 1] {
            let outcome = ParserHarness.parse(testCase.request, split: split)
            #expect(outcome.error == nil, "split \(split)")
            #expect(outcome.requests.count == 1, "split \(split)")
            #expect(outcome.requests.first?.bodyText == testCase.body, "split \(split)")
        }
    }
}
