import Drover

/// Writes a response head into a connection's output buffer, one pass, no intermediate strings.
///
/// The server owns framing: handler-set `Content-Length`, `Transfer-Encoding`, `Connection` and
/// `Keep-Alive` are replaced by what the server actually sends (RFC 9112 §6, §9.6). A field whose
/// name is not a token or whose value holds CR, LF or NUL is dropped and logged, so a handler cannot
/// split a response (RFC 9110 §5.5).
struct HTTPResponseEncoder {
    /// How the body is delimited.
    enum Framing {
        /// `Content-Length: n`.
        case length(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
        /// No framing field: no body (204, 304) or a body ended by closing (HTTP/1.0 stream).
        case none
    }

    let loop: EventLoop
    let logger: Logger

    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    static let lastChunk = Array("0\r\n\r\n".utf8)
    private static let contentLengthPrefix = Array("content-length: ".utf8)
    private static let chunkedLine = Array("transfer-encoding: chunked\r\n".utf8)
    private static let closeLine = Array("connection: close\r\n".utf8)
    private static let keepAliveLine = Array("connection: keep-alive\r\n".utf8)
    private static let separator: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: " ")]
    private static let crlf: [UInt8] = [13, 10]

    /// Appends the status line and header section.
    /// - Returns: whether the connection stays open (false when the handler asked `Connection: close`).
    mutating func encodeHead(
        status: Int,
        headers: Headers,
        framing: Framing,
        keepAlive: Bool,
        minorVersion: Int,
        into out: inout [UInt8]
    ) -> Bool {
        var keepAlive = keepAlive
        out.append(contentsOf: loop.statusLine(status))
        var sawDate = false
        for field in headers.fields {
            switch field.name {
            case "content-length", "transfer-encoding", "keep-alive":
                continue
            case "connection":
                if field.value.utf8.count >= 5, field.value.lowercased().contains("close") { keepAlive = false }
                continue
            case "date":
                sawDate = true
            default:
                break
            }
            guard Self.isSafe(field) else {
                logger.warning("HTTP response header '\(field.name)' has a forbidden character; dropped")
                continue
            }
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: Self.separator)
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: Self.crlf)
        }
        switch framing {
        case .length(let length):
            out.append(contentsOf: Self.contentLengthPrefix)
            Self.appendDecimal(length, to: &out)
            out.append(contentsOf: Self.crlf)
        case .chunked:
            out.append(contentsOf: Self.chunkedLine)
        case .none:
            break
        }
        if !keepAlive {
            out.append(contentsOf: Self.closeLine)
        } else if minorVersion == 0 {
            out.append(contentsOf: Self.keepAliveLine)  // RFC 9112 §9.3: HTTP/1.0 persistence is opt-in
        }
        if !sawDate { out.append(contentsOf: loop.dateCache.current()) }
        out.append(contentsOf: Self.crlf)
        return keepAlive
    }

    /// Appends one chunk (RFC 9112 §7.1): hex size, CRLF, data, CRLF.
    static func appendChunk(_ chunk: [UInt8], to out: inout [UInt8]) {
        appendHex(chunk.count, to: &out)
        out.append(contentsOf: crlf)
        out.append(contentsOf: chunk)
        out.append(contentsOf: crlf)
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
    }

    static func appendHex(_ value: Int, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var shift = 60
        var started = false
        while shift >= 0 {
            let digit = (value >> shift) & 0xF
            if digit != 0 || started || shift == 0 {
                out.append(hex[digit])
                started = true
            }
            shift -= 4
        }
    }

    private static func isSafe(_ field: Headers.Field) -> Bool {
        guard !field.name.isEmpty else { return false }
        for byte in field.name.utf8 where !HTTPRequestParser.isTokenByte(byte) { return false }
        for byte in field.value.utf8 where byte == 13 || byte == 10 || byte == 0 { return false }
        return true
    }
}
