import Drover

/// A JWT in the JWS compact serialization, `BASE64URL(header).BASE64URL(payload).BASE64URL(signature)`
/// (RFC 7515 §7.1, RFC 7519 §7.2), taken apart but not yet trusted: ``JWTVerifier`` checks the
/// signature and the claims.
///
/// Parsing is strict and bounded, and refuses with a ``JWTError`` rather than trap: a token longer
/// than the limit (checked before anything else), anything but three parts, a part that is not
/// base64url without padding, a header or payload that is not a JSON object, and registered header
/// members and claims of the wrong type (see ``JWTHeader`` and ``JWTClaims``). The signature may be
/// empty here (an `alg: none` token has none), so that the verifier can name the real reason.
public struct JSONWebToken: Sendable, Hashable {
    /// The decoded header.
    public let header: JWTHeader
    /// The decoded claims.
    public let claims: JWTClaims
    /// The signing input, `header.payload` exactly as received: what the signature covers.
    public let signingInput: [UInt8]
    /// The decoded signature.
    public let signature: [UInt8]

    /// 16 KiB: a JWT travels in a header or a cookie (a cookie holds about 4 KiB), so a longer one
    /// is a mistake or an attack, refused before any decoding.
    public static let defaultMaximumLength = 16 * 1024

    /// The token in `compact`.
    /// - Parameter maximumLength: the most UTF-8 bytes accepted.
    /// - Throws: ``JWTError`` with ``JWTError/Code/tooLarge``, ``JWTError/Code/malformed``,
    ///   ``JWTError/Code/invalidBase64URL``, ``JWTError/Code/invalidJSON``,
    ///   ``JWTError/Code/invalidHeader`` or ``JWTError/Code/invalidClaim``.
    public init(compact: String, maximumLength: Int = defaultMaximumLength) throws(JWTError) {
        // The token is read as bytes: one copy of its UTF-8, then plain array scans. Splitting the
        // string would walk grapheme clusters, several times slower, for text that must be ASCII.
        guard compact.utf8.count <= maximumLength else {
            throw JWTError(.tooLarge, "the token is \(compact.utf8.count) bytes, more than the \(maximumLength) accepted")
        }
        let bytes = Array(compact.utf8)
        // One pass finds the dots and any `=`, which is outside the base64url alphabet: the compact
        // form has no padding (RFC 7515 §2).
        let (dots, dotCount, padded) = bytes.withUnsafeBufferPointer { buffer -> ((Int, Int), Int, Bool) in
            var dots = (-1, -1)
            var count = 0
            var padded = false
            func look(at position: Int) {
                let byte = buffer[position]
                if byte == UInt8(ascii: ".") {
                    if count == 0 { dots.0 = position } else if count == 1 { dots.1 = position }
                    count += 1
                } else if byte == UInt8(ascii: "=") {
                    padded = true
                }
            }
            // Eight bytes at a time: a word holding neither `.` nor `=` (nearly all of them) is
            // passed over with a few operations.
            let raw = UnsafeRawBufferPointer(buffer)
            var position = 0
            while position + 8 <= buffer.count {
                let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                if Self.holds(word, UInt8(ascii: ".")) || Self.holds(word, UInt8(ascii: "=")) {
                    for offset in position..<(position + 8) { look(at: offset) }
                }
                position += 8
            }
            for offset in position..<buffer.count { look(at: offset) }
            return (dots, count, padded)
        }
        guard dotCount == 2 else { throw Self.partCount(dotCount < 2 ? String(dotCount + 1) : "more") }
        guard !padded else {
            throw JWTError(.invalidBase64URL, "the token holds \"=\": the compact form has no padding")
        }
        let (first, second) = dots
        let headerBytes = try Self.decode(bytes[..<first], part: "header")
        let payloadBytes = try Self.decode(bytes[(first + 1)..<second], part: "payload")
        signature = try Self.decode(bytes[(second + 1)...], part: "signature")
        header = try JWTHeader(Self.json(headerBytes, part: "header"))
        claims = try JWTClaims(Self.json(payloadBytes, part: "payload"))
        signingInput = Array(bytes[..<second])
    }

    /// Whether one of the eight bytes of `word` is `byte`: `x − 0x01…01` borrows into the high bit
    /// of a byte only where `x` has a zero byte, and `& ~x` drops bytes whose own high bit was set.
    private static func holds(_ word: UInt64, _ byte: UInt8) -> Bool {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
    }

    private static func partCount(_ count: String) -> JWTError {
        JWTError(.malformed, "a compact JWS has 3 dot-separated parts, this token has \(count)")
    }

    /// A part's bytes: strict base64url, as RFC 7515 §2 requires of the compact form.
    private static func decode(_ text: ArraySlice<UInt8>, part: String) throws(JWTError) -> [UInt8] {
        guard let bytes = Base64URL.decode(utf8: text) else {
            throw JWTError(.invalidBase64URL, "the \(part) is not base64url")
        }
        return bytes
    }

    private static func json(_ bytes: [UInt8], part: String) throws(JWTError) -> JSONValue {
        guard !bytes.isEmpty else { throw JWTError(.invalidJSON, "the \(part) is empty") }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw JWTError(.invalidJSON, "the \(part) is not JSON: \(error.description)")
        }
    }
}
