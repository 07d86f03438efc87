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
    public var header: JWTHeader { parts.header }
    /// The decoded claims.
    public var claims: JWTClaims { parts.claims }
    /// The signing input, `header.payload` exactly as received: what the signature covers.
    public var signingInput: [UInt8] { parts.withSigningInput { Array($0) } }
    /// The decoded signature.
    public var signature: [UInt8] { parts.signature }

    /// The parts, behind one reference: a token is passed from the parser through the verifier
    /// into its ``VerifiedJWT`` and on to the handler, and a copy then costs one retain, not one
    /// per string and array of the header and claims. The verifier reads them here, where they are
    /// borrowed, rather than through the properties above, each of which returns a copy.
    let parts: Parts

    final class Parts: Sendable {
        let header: JWTHeader
        let claims: JWTClaims
        let signature: [UInt8]
        /// The token as received, whose first `signingInputCount` bytes are the signing input: kept
        /// rather than copied out, since the caller's string already holds them.
        let compact: String
        let signingInputCount: Int

        init(header: JWTHeader, claims: JWTClaims, signature: [UInt8], compact: String, signingInputCount: Int) {
            self.header = header
            self.claims = claims
            self.signature = signature
            self.compact = compact
            self.signingInputCount = signingInputCount
        }

        /// `body` with the signing input's bytes, read in place.
        func withSigningInput<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            let prefix = compact.utf8.prefix(signingInputCount)
            return prefix.withContiguousStorageIfAvailable(body) ?? Array(prefix).withUnsafeBufferPointer(body)
        }
    }

    /// 16 KiB: a JWT travels in a header or a cookie (a cookie holds about 4 KiB), so a longer one
    /// is a mistake or an attack, refused before any decoding.
    public static let defaultMaximumLength = 16 * 1024

    /// The token in `compact`.
    /// - Parameter maximumLength: the most UTF-8 bytes accepted.
    /// - Throws: ``JWTError`` with ``JWTError/Code/tooLarge``, ``JWTError/Code/malformed``,
    ///   ``JWTError/Code/invalidBase64URL``, ``JWTError/Code/invalidJSON``,
    ///   ``JWTError/Code/invalidHeader`` or ``JWTError/Code/invalidClaim``.
    public init(compact: String, maximumLength: Int = defaultMaximumLength) throws(JWTError) {
        guard compact.utf8.count <= maximumLength else {
            throw JWTError(.tooLarge, "the token is \(compact.utf8.count) bytes, more than the \(maximumLength) accepted")
        }
        // The token is read as bytes, in place: a native string's UTF-8 is one buffer, scanned
        // directly (splitting the string would walk grapheme clusters, several times slower, for
        // text that must be ASCII). Anything else — a bridged string — is copied once first.
        // The parts come back as one reference: a tuple of the header's and claims' values through
        // the generic `Result` would be copied member by member through value witnesses.
        let parsed =
            compact.utf8.withContiguousStorageIfAvailable { buffer in Result { () throws(JWTError) in try Self.parse(buffer, of: compact) } }
            ?? Array(compact.utf8).withUnsafeBufferPointer { buffer in Result { () throws(JWTError) in try Self.parse(buffer, of: compact) } }
        parts = try parsed.get()
    }

    /// Equal when the signing inputs and the signatures are: the header and claims are read from
    /// the signing input alone, and strict base64url spells each signature one way, so that is
    /// when the tokens are the same text.
    public static func == (lhs: JSONWebToken, rhs: JSONWebToken) -> Bool {
        lhs.parts === rhs.parts || lhs.parts.compact == rhs.parts.compact
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(parts.compact)
    }

    /// The parts of `compact`, whose bytes are `bytes` and whose length is checked.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, of compact: String) throws(JWTError) -> Parts {
        // One pass finds the dots and any `=`, which is outside the base64url alphabet: the compact
        // form has no padding (RFC 7515 §2).
        var dots = (-1, -1)
        var dotCount = 0
        var padded = false
        func look(at position: Int) {
            let byte = bytes[position]
            if byte == UInt8(ascii: ".") {
                if dotCount == 0 { dots.0 = position } else if dotCount == 1 { dots.1 = position }
                dotCount += 1
            } else if byte == UInt8(ascii: "=") {
                padded = true
            }
        }
        // Eight bytes at a time: a word holding neither `.` nor `=` (nearly all of them) is passed
        // over with a few operations.
        let raw = UnsafeRawBufferPointer(bytes)
        var position = 0
        while position + 8 <= bytes.count {
            let word = raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            if holds(word, UInt8(ascii: ".")) || holds(word, UInt8(ascii: "=")) {
                for offset in position..<(position + 8) { look(at: offset) }
            }
            position += 8
        }
        for offset in position..<bytes.count { look(at: offset) }
        guard dotCount == 2 else { throw partCount(dotCount < 2 ? String(dotCount + 1) : "more") }
        guard !padded else {
            throw JWTError(.invalidBase64URL, "the token holds \"=\": the compact form has no padding")
        }
        let (first, second) = dots
        // The header and the payload are decoded into one scratch buffer (on the stack for a token
        // of ordinary size) and parsed from there: only their JSON values are kept. All three parts'
        // base64url is checked before any JSON.
        let headerRange = 0..<first, payloadRange = (first + 1)..<second
        let headerRoom = Base64URL.decodedCapacity(headerRange.count)
        let capacity = headerRoom + Base64URL.decodedCapacity(payloadRange.count)
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { (scratch) throws(JWTError) in
            let headerJSON = try decode(bytes, headerRange, part: "header", into: UnsafeMutableBufferPointer(rebasing: scratch[..<headerRoom]))
            let payloadJSON = try decode(bytes, payloadRange, part: "payload", into: UnsafeMutableBufferPointer(rebasing: scratch[headerRoom...]))
            guard let signature = Base64URL.decode(utf8: UnsafeBufferPointer(rebasing: bytes[(second + 1)...])) else {
                throw JWTError(.invalidBase64URL, "the signature is not base64url")
            }
            return Parts(
                header: try JWTHeader(json(headerJSON, part: "header")), claims: try JWTClaims(json(payloadJSON, part: "payload")),
                signature: signature, compact: compact, signingInputCount: second)
        }
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

    /// A part's bytes, decoded into `scratch`: strict base64url, as RFC 7515 §2 requires of the
    /// compact form.
    private static func decode(
        _ token: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, part: String, into scratch: UnsafeMutableBufferPointer<UInt8>
    ) throws(JWTError) -> UnsafeBufferPointer<UInt8> {
        guard let count = Base64URL.decode(utf8: UnsafeBufferPointer(rebasing: token[range]), into: scratch) else {
            throw JWTError(.invalidBase64URL, "the \(part) is not base64url")
        }
        return UnsafeBufferPointer(rebasing: scratch[..<count])
    }

    private static func json(_ bytes: UnsafeBufferPointer<UInt8>, part: String) throws(JWTError) -> JSONValue {
        guard !bytes.isEmpty else { throw JWTError(.invalidJSON, "the \(part) is empty") }
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw JWTError(.invalidJSON, "the \(part) is not JSON: \(error.description)")
        }
    }
}
