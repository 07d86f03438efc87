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
        let bytes = compact.utf8
        guard bytes.count <= maximumLength else {
            throw JWTError(.tooLarge, "the token is \(bytes.count) bytes, more than the \(maximumLength) accepted")
        }
        let parts = compact.split(separator: ".", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw JWTError(.malformed, "a compact JWS has 3 dot-separated parts, this token has \(parts.count > 3 ? "more" : "\(parts.count)")")
        }
        let headerBytes = try Self.decode(parts[0], part: "header")
        let payloadBytes = try Self.decode(parts[1], part: "payload")
        signature = try Self.decode(parts[2], part: "signature")
        header = try JWTHeader(Self.json(headerBytes, part: "header"))
        claims = try JWTClaims(Self.json(payloadBytes, part: "payload"))
        signingInput = Array(compact.utf8[..<parts[1].endIndex])
    }

    /// A part's bytes: base64url without padding, as RFC 7515 §2 requires of the compact form.
    private static func decode(_ text: Substring, part: String) throws(JWTError) -> [UInt8] {
        guard !text.utf8.contains(UInt8(ascii: "=")), let bytes = Base64URL.decode(text) else {
            throw JWTError(.invalidBase64URL, "the \(part) is not base64url without padding")
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
