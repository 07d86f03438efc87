#if canImport(Drover)
import Drover  // Headers.Field; the fuzzer compiles Sources/Drover/HTTP/Headers.swift in instead
#endif

/// An incremental HTTP/1.1 request parser (RFC 9112) working on raw bytes.
///
/// Feed it the bytes received so far with ``parse(_:)``; it returns an event and how many bytes
/// it consumed. Bytes it did not consume must be presented again, at the front, on the next call
/// (followed by whatever arrived since), so a request may arrive split anywhere, down to one byte
/// at a time. A request yields ``Event/head(_:)`` then ``Event/end(_:)`` with the whole body.
///
/// It is strict where leniency enables request smuggling (RFC 9112 §11.2): bare LF, bare CR,
/// obs-fold, non-token field names, malformed or repeated `Content-Length`, `Content-Length` with
/// `Transfer-Encoding`, a final coding other than `chunked`, and bad chunk sizes are all errors.
/// After an error the parser stays failed: the connection must be closed.
///
/// Depends only on the standard library and Drover's `Headers.Field`, so the fuzzer compiles it alone.
package struct HTTPRequestParser {
    /// What a call to ``parse(_:)`` produced.
    package enum Event {
        /// More bytes are needed.
        case needMore
        /// A request head; its body (possibly empty) follows with ``end(_:)``.
        case head(HTTPRequestHead)
        /// The end of the request, with its whole body.
        case end([UInt8])
    }

    private enum State {
        case head(scanned: Int, requestLineEnd: Int)
        case fixedBody(remaining: Int)
        case chunkSize(scanned: Int)
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(scanned: Int)
        case complete
        case failed(HTTPParseError)
    }

    /// The limits enforced.
    package let limits: HTTPParserLimits
    private var state: State = .head(scanned: 0, requestLineEnd: -1)
    private var body: [UInt8] = []

    /// The longest chunk-size line (size and extensions) accepted.
    package static let maxChunkLineSize = 4096

    /// Creates a parser enforcing `limits`.
    package init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// A field every request head gets, replacing any of that name the client sent: the name
    /// (lower-case) and the value, or no value to only drop the client's (see
    /// ``HTTPServerConfiguration/clientAddressField``).
    package var injectedField: (name: String, value: String?)?

    /// Whether the parser is between requests with nothing buffered (no request started).
    package var isIdle: Bool {
        if case .head(let scanned, _) = state { return scanned == 0 }
        return false
    }

    /// The bytes of the current request's body buffered so far.
    package var bufferedBodyBytes: Int { body.count }

    /// Whether the parser is reading a head (as opposed to a body).
    package var isReadingHead: Bool {
        if case .head = state { return true }
        return false
    }

    /// Parses as much of `input` as makes one event.
    /// - Returns: the event and how many bytes of `input` were consumed.
    /// - Throws: ``HTTPParseError`` for a request that must be refused; every later call throws it again.
    package mutating func parse(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> (event: Event, consumed: Int) {
        do {
            return try step(input)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step(_ input: UnsafeRawBufferPointer) throws(HTTPParseError) -> (event: Event, consumed: Int) {
        var offset = 0
        let count = input.count
        while true {
            switch state {
            case .failed(let error):
                throw error

            case .head(let scanned, var lineEnd):
                if scanned == 0 {
                    // RFC 9112 §2.2: ignore empty lines before the request line.
                    while count - offset >= 2, input[offset] == .cr, input[offset + 1] == .lf { offset += 2 }
                    if offset < count, input[offset] == .lf { throw .bareLineFeed }
                }
                let base = offset
                var index = base + scanned
                var headEnd = -1
                var emptyLine = false
                while index < count {
                    let byte = input[index]
                    // Limits are checked at the byte that crosses them, so the error never depends
                    // on how the input was split.
                    if lineEnd < 0 {
                        if index - base > limits.maxRequestLineSize + 1 {
                            throw .requestLineTooLong(limit: limits.maxRequestLineSize)
                        }
                    } else if index - base - lineEnd > limits.maxHeaderSize + 2 {
                        throw .headersTooLarge(limit: limits.maxHeaderSize)
                    }
                    if byte == .lf {
                        if index == base || input[index - 1] != .cr { throw .bareLineFeed }
                        if lineEnd < 0 && index == base + 1 {
                            emptyLine = true  // an empty line split from what follows
                            break
                        }
                        if lineEnd < 0 {
                            lineEnd = index - base
                            if lineEnd - 1 > limits.maxRequestLineSize {
                                throw .requestLineTooLong(limit: limits.maxRequestLineSize)
                            }
                        } else if index - base >= lineEnd + 2, input[index - 2] == .lf {
                            headEnd = index + 1
                            break
                        }
                    } else if index > base, input[index - 1] == .cr {
                        throw .bareCarriageReturn
                    }
                    index += 1
                }
                if emptyLine {
                    offset = base + 2
                    state = .head(scanned: 0, requestLineEnd: -1)
                    continue
                }
                guard headEnd >= 0 else {
                    state = .head(scanned: count - base, requestLineEnd: lineEnd)
                    return (.needMore, offset)
                }
                let head = try parseHead(UnsafeRawBufferPointer(rebasing: input[base..<headEnd]), requestLineEnd: lineEnd)
                if head.isChunked {
                    state = .chunkSize(scanned: 0)
                } else if let length = head.contentLength, length > 0 {
                    body.reserveCapacity(min(length, 1 << 20))
                    state = .fixedBody(remaining: length)
                } else {
                    state = .complete
                }
                return (.head(head), headEnd)

            case .fixedBody(let remaining):
                let take = min(remaining, count - offset)
                if take > 0 {
                    body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + take]))
                    offset += take
                }
                if remaining - take == 0 {
                    state = .complete
                } else {
                    state = .fixedBody(remaining: remaining - take)
                    return (.needMore, offset)
                }

            case .chunkSize(let scanned):
                var index = offset + scanned
                var lineEnd = -1
                while index < count {
                    if input[index] == .lf {
                        lineEnd = index
                        break
                    }
                    index += 1
                }
                guard lineEnd >= 0 else {
                    if count - offset > Self.maxChunkLineSize { throw .chunkLineTooLong }
                    state = .chunkSize(scanned: count - offset)
                    return (.needMore, offset)
                }
                if lineEnd - offset > Self.maxChunkLineSize { throw .chunkLineTooLong }
                guard lineEnd > offset, input[lineEnd - 1] == .cr else { throw .bareLineFeed }
                let size = try Self.chunkSize(UnsafeRawBufferPointer(rebasing: input[offset..<lineEnd - 1]))
                offset = lineEnd + 1
                if size == 0 {
                    state = .trailers(scanned: 0)
                } else {
                    guard size <= limits.maxBodySize - body.count else {
                        throw .contentTooLarge(limit: limits.maxBodySize)
                    }
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let take = min(remaining, count - offset)
                if take > 0 {
                    body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[offset..<offset + take]))
                    offset += take
                }
                if remaining - take == 0 {
                    state = .chunkDataEnd
                } else {
                    state = .chunkData(remaining: remaining - take)
                    return (.needMore, offset)
                }

            case .chunkDataEnd:
                if count - offset < 2 {
                    if count - offset == 1, input[offset] != .cr { throw .missingChunkTerminator }
                    return (.needMore, offset)
                }
                guard input[offset] == .cr, input[offset + 1] == .lf else { throw .missingChunkTerminator }
                offset += 2
                state = .chunkSize(scanned: 0)

            case .trailers(let scanned):
                // RFC 9112 §7.1.2: trailer fields are checked like header fields, then discarded.
                if scanned == 0 {
                    if count - offset < 2 {
                        if count - offset == 1, input[offset] == .lf { throw .bareLineFeed }
                        return (.needMore, offset)
                    }
                    if input[offset] == .cr {
                        guard input[offset + 1] == .lf else { throw .bareCarriageReturn }
                        offset += 2
                        state = .complete
                        continue
                    }
                }
                var index = offset + max(scanned, 1)
                var end = -1
                while index < count {
                    let byte = input[index]
                    if index - offset > limits.maxHeaderSize + 2 { throw .headersTooLarge(limit: limits.maxHeaderSize) }
                    if byte == .lf {
                        if input[index - 1] != .cr { throw .bareLineFeed }
                        if index - offset >= 3, input[index - 2] == .lf {
                            end = index + 1
                            break
                        }
                    } else if input[index - 1] == .cr {
                        throw .bareCarriageReturn
                    } else if index == offset + 1, input[offset] == .lf {
                        throw .bareLineFeed
                    }
                    index += 1
                }
                guard end >= 0 else {
                    state = .trailers(scanned: count - offset)
                    return (.needMore, offset)
                }
                var lineStart = offset
                var fields = 0
                while lineStart < end - 2 {
                    var lineEnd = lineStart
                    while input[lineEnd] != .cr { lineEnd += 1 }
                    _ = try Self.field(in: input, from: lineStart, to: lineEnd)
                    fields += 1
                    if fields > limits.maxHeaderCount { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
                    lineStart = lineEnd + 2
                }
                offset = end
                state = .complete

            case .complete:
                var finished: [UInt8] = []
                swap(&finished, &body)
                state = .head(scanned: 0, requestLineEnd: -1)
                return (.end(finished), offset)
            }
        }
    }

    // MARK: - Head

    private func parseHead(_ bytes: UnsafeRawBufferPointer, requestLineEnd: Int) throws(HTTPParseError) -> HTTPRequestHead {
        // Request line (RFC 9112 §3): method SP request-target SP HTTP-version.
        let lineLength = requestLineEnd - 1
        var space1 = -1
        var space2 = -1
        for index in 0..<lineLength where bytes[index] == .space {
            if space1 < 0 {
                space1 = index
            } else {
                space2 = index
                break
            }
        }
        guard space1 > 0, space2 > space1 + 1, lineLength - space2 - 1 == 8 else { throw .malformedRequestLine }
        for index in 0..<space1 where !Self.isTokenByte(bytes[index]) { throw .malformedRequestLine }
        for index in (space1 + 1)..<space2 {
            let byte = bytes[index]
            if byte <= 0x20 || byte >= 0x7F { throw .malformedRequestLine }
        }
        let minorVersion = try Self.version(UnsafeRawBufferPointer(rebasing: bytes[(space2 + 1)..<lineLength]))
        let method = Self.method(UnsafeRawBufferPointer(rebasing: bytes[0..<space1]))
        var target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(space1 + 1)..<space2]), as: UTF8.self)
        var targetAuthority: String?
        let first = bytes[space1 + 1]
        if first == UInt8(ascii: "/") {
            // origin-form
        } else if first == UInt8(ascii: "*"), space2 == space1 + 2 {
            guard method == "OPTIONS" else { throw .malformedRequestLine }  // RFC 9112 §3.2.4
        } else {
            // absolute-form (RFC 9112 §3.2.2): the authority replaces Host.
            guard let (authority, path) = Self.splitAbsoluteForm(target) else { throw .malformedRequestLine }
            targetAuthority = authority
            target = path
        }

        // Header fields (RFC 9112 §5).
        var fields: [Headers.Field] = []
        var contentLength: Int?
        var codings: [Substring] = []
        var sawTransferEncoding = false
        var close = false
        var keepAliveToken = false
        var expectsContinue = false
        var host: String?
        var hostCount = 0
        var lineStart = requestLineEnd + 1
        let end = bytes.count - 2
        while lineStart < end {
            var lineEnd = lineStart
            while bytes[lineEnd] != .cr { lineEnd += 1 }
            let (name, value) = try Self.field(in: bytes, from: lineStart, to: lineEnd)
            lineStart = lineEnd + 2
            if fields.count == limits.maxHeaderCount { throw .tooManyHeaders(limit: limits.maxHeaderCount) }
            if let injectedField, name == injectedField.name { continue }  // the server's to set
            switch name {
            case "content-length":
                // RFC 9110 §8.6: 1*DIGIT; a second field is refused (as swift-nio does).
                guard contentLength == nil else { throw .duplicateContentLength }
                contentLength = try Self.contentLength(value)
            case "transfer-encoding":
                sawTransferEncoding = true
                for coding in value.split(separator: ",", omittingEmptySubsequences: false) {
                    codings.append(Self.trimmed(coding))
                }
            case "connection":
                for option in value.split(separator: ",") {
                    let token = Self.trimmed(option)
                    if token.utf8.count == 5, Self.equalsIgnoringCase(token, "close") { close = true }
                    if token.utf8.count == 10, Self.equalsIgnoringCase(token, "keep-alive") { keepAliveToken = true }
                }
            case "expect":
                guard Self.equalsIgnoringCase(Self.trimmed(Substring(value)), "100-continue") else {
                    throw .unsupportedExpectation
                }
                expectsContinue = minorVersion >= 1  // RFC 9110 §10.1.1: ignored from HTTP/1.0 clients
            case "host":
                hostCount += 1
                host = value
            default:
                break
            }
            fields.append(Headers.Field(lowercasedName: name, value: value))
        }

        if let injectedField, let value = injectedField.value {
            fields.append(Headers.Field(lowercasedName: injectedField.name, value: value))
        }
        if hostCount > 1 { throw .duplicateHost }
        if minorVersion >= 1, hostCount == 0, targetAuthority == nil { throw .missingHost }
        if let host, !Self.isValidHost(host) { throw .invalidHost }
        if let targetAuthority, !Self.isValidHost(targetAuthority) { throw .invalidHost }
        var isChunked = false
        if sawTransferEncoding {
            // RFC 9112 §6.1 and §6.3: refuse anything that makes the length ambiguous.
            if minorVersion == 0 { throw .transferEncodingInHTTP10 }
            if contentLength != nil { throw .contentLengthWithTransferEncoding }
            guard let last = codings.last, Self.equalsIgnoringCase(last, "chunked") else {
                throw .transferEncodingNotChunked
            }
            for coding in codings.dropLast() {
                if coding.isEmpty || Self.equalsIgnoringCase(coding, "chunked") { throw .transferEncodingNotChunked }
                throw .unsupportedTransferCoding
            }
            isChunked = true
        }
        if let contentLength, contentLength > limits.maxBodySize { throw .contentTooLarge(limit: limits.maxBodySize) }
        return HTTPRequestHead(
            method: method,
            target: target,
            minorVersion: minorVersion,
            fields: fields,
            host: targetAuthority ?? host,
            keepAlive: minorVersion >= 1 ? !close : (keepAliveToken && !close),
            expectsContinue: expectsContinue && (isChunked || (contentLength ?? 0) > 0),
            contentLength: contentLength,
            isChunked: isChunked
        )
    }

    /// Parses one field line `[start, end)` (CR at `end`): a token name, `:`, OWS, value, OWS.
    private static func field(
        in bytes: UnsafeRawBufferPointer,
        from start: Int,
        to end: Int
    ) throws(HTTPParseError) -> (name: String, value: String) {
        let first = bytes[start]
        if first == .space || first == .tab { throw .obsoleteLineFolding }  // RFC 9112 §5.2
        var colon = start
        while colon < end, bytes[colon] != UInt8(ascii: ":") {
            guard isTokenByte(bytes[colon]) else { throw .invalidHeaderName }  // RFC 9112 §5.1: no space before ':'
            colon += 1
        }
        guard colon < end, colon > start else { throw .invalidHeaderName }
        var valueStart = colon + 1
        var valueEnd = end
        while valueStart < valueEnd, bytes[valueStart] == .space || bytes[valueStart] == .tab { valueStart += 1 }
        while valueEnd > valueStart, bytes[valueEnd - 1] == .space || bytes[valueEnd - 1] == .tab { valueEnd -= 1 }
        for index in valueStart..<valueEnd {
            let byte = bytes[index]
            // RFC 9110 §5.5: field-vchar / SP / HTAB (obs-text allowed); no other controls.
            if (byte < 0x20 && byte != .tab) || byte == 0x7F { throw .invalidHeaderValue }
        }
        let nameLength = colon - start
        let name = String(unsafeUninitializedCapacity: nameLength) { buffer in
            for index in 0..<nameLength {
                let byte = bytes[start + index]
                buffer[index] = byte >= 65 && byte <= 90 ? byte + 32 : byte
            }
            return nameLength
        }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
        return (name, value)
    }

    private static func version(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        // HTTP-version = "HTTP" "/" DIGIT "." DIGIT (RFC 9112 §2.3)
        guard bytes.count == 8, bytes[0] == UInt8(ascii: "H"), bytes[1] == UInt8(ascii: "T"),
            bytes[2] == UInt8(ascii: "T"), bytes[3] == UInt8(ascii: "P"), bytes[4] == UInt8(ascii: "/"),
            bytes[6] == UInt8(ascii: "."), isDigit(bytes[5]), isDigit(bytes[7])
        else { throw .malformedRequestLine }
        guard bytes[5] == UInt8(ascii: "1"), bytes[7] <= UInt8(ascii: "1") else { throw .unsupportedVersion }
        return Int(bytes[7] - UInt8(ascii: "0"))
    }

    private static func method(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.count == 3, bytes[0] == UInt8(ascii: "G"), bytes[1] == UInt8(ascii: "E"), bytes[2] == UInt8(ascii: "T") {
            return "GET"
        }
        if bytes.count == 4, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "O"), bytes[2] == UInt8(ascii: "S"),
            bytes[3] == UInt8(ascii: "T")
        {
            return "POST"
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func contentLength(_ value: String) throws(HTTPParseError) -> Int {
        var result = 0
        var digits = 0
        for byte in value.utf8 {
            guard isDigit(byte) else { throw .invalidContentLength }
            digits += 1
            guard digits <= 18 else { throw .invalidContentLength }
            result = result * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard digits > 0 else { throw .invalidContentLength }
        return result
    }

    /// chunk-size [ chunk-ext ] (RFC 9112 §7.1, §7.1.1), without the CRLF.
    private static func chunkSize(_ line: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        var size = 0
        var index = 0
        while index < line.count, let digit = hexValue(line[index]) {
            guard size <= (Int.max - 15) / 16 else { throw .chunkSizeOverflow }
            size = size * 16 + digit
            index += 1
        }
        guard index > 0 else { throw .invalidChunkSize }
        if index < line.count {
            while index < line.count, line[index] == .space || line[index] == .tab { index += 1 }
            guard index < line.count, line[index] == UInt8(ascii: ";") else { throw .invalidChunkSize }
            while index < line.count {
                let byte = line[index]
                if (byte < 0x20 && byte != .tab) || byte == 0x7F { throw .invalidChunkSize }
                index += 1
            }
        }
        return size
    }

    private static func splitAbsoluteForm(_ target: String) -> (authority: String, path: String)? {
        let lowered = target.utf8.prefix(8).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        let schemeLength: Int
        if lowered.starts(with: Array("http://".utf8)) {
            schemeLength = 7
        } else if lowered.starts(with: Array("https://".utf8)) {
            schemeLength = 8
        } else {
            return nil
        }
        let rest = target.utf8.dropFirst(schemeLength)
        let slash = rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
        let authority = String(decoding: rest[rest.startIndex..<slash], as: UTF8.self)
        guard !authority.isEmpty else { return nil }
        var path = String(decoding: rest[slash...], as: UTF8.self)
        if path.isEmpty || path.utf8.first == UInt8(ascii: "?") { path = "/" + path }
        return (authority, path)
    }

    /// Whether `value` is `uri-host [ ":" port ]` (RFC 9112 §3.2, RFC 3986 §3.2.2–3.2.3), or empty
    /// (the Host of a target without authority). `uri-host` is an IP literal in brackets (IPv6
    /// hex digits, `:` and `.`; or `v`-prefixed IPvFuture), or a reg-name: unreserved characters,
    /// percent-encodings and sub-delims. The port is at most five digits, at most 65535.
    package static func isValidHost(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        if bytes.isEmpty { return true }
        var index = 0
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")), close > 1 else { return false }
            let literal = bytes[1..<close]
            let isFuture = literal.first == UInt8(ascii: "v") || literal.first == UInt8(ascii: "V")
            for byte in literal {
                let allowed =
                    hexValue(byte) != nil || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".")
                    || (isFuture && (isUnreserved(byte) || isSubDelimiter(byte)))
                if !allowed { return false }
            }
            index = close + 1
        } else {
            while index < bytes.count, bytes[index] != UInt8(ascii: ":") {
                let byte = bytes[index]
                if byte == UInt8(ascii: "%") {
                    guard index + 2 < bytes.count, hexValue(bytes[index + 1]) != nil, hexValue(bytes[index + 2]) != nil else {
                        return false
                    }
                    index += 3
                    continue
                }
                guard isUnreserved(byte) || isSubDelimiter(byte) else { return false }
                index += 1
            }
        }
        guard index < bytes.count else { return true }
        guard bytes[index] == UInt8(ascii: ":") else { return false }
        let port = bytes[(index + 1)...]
        guard port.count <= 5, port.allSatisfy(isDigit) else { return false }
        return port.isEmpty || Int(String(decoding: port, as: UTF8.self))! <= 65535
    }

    /// unreserved (RFC 3986 §2.3).
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// sub-delims (RFC 3986 §2.2).
    private static func isSubDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="):
            true
        default: false
        }
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var result = text
        while let first = result.utf8.first, first == .space || first == .tab { result = result.dropFirst() }
        while let last = result.utf8.last, last == .space || last == .tab { result = result.dropLast() }
        return result
    }

    private static func equalsIgnoringCase(_ text: Substring, _ lowercase: StaticString) -> Bool {
        guard text.utf8.count == lowercase.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in text.utf8 {
            let lowered = byte >= 65 && byte <= 90 ? byte + 32 : byte
            if lowered != lowercase.utf8Start[index] { return false }
            index += 1
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

extension UInt8 {
    fileprivate static let cr = UInt8(ascii: "\r")
    fileprivate static let lf = UInt8(ascii: "\n")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
}
