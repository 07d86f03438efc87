import Drover

extension Idempotency {
    /// How ``fingerprint(method:path:body:encoding:)`` writes its SHA-256.
    public enum FingerprintEncoding: Sendable {
        /// 64 lower-case hex digits.
        case hex
        /// 43 base64url characters, no padding.
        case base64url
    }

    /// A fingerprint of a request: SHA-256 (``Crypto/sha256(_:)``) over its method, path and raw
    /// body, so the same key sent with another body (or to another route) is a conflict.
    ///
    /// The digest covers `"<bytes of method>:<method>\n<bytes of path>:<path>\n"` followed by the
    /// body: the lengths make the split unambiguous whatever the parts contain. The method is taken
    /// as given (methods are case-sensitive, RFC 9110 §9.1).
    public static func fingerprint(method: String, path: String, body: some Sequence<UInt8>, encoding: FingerprintEncoding = .hex) -> String {
        var input = Array("\(method.utf8.count):\(method)\n\(path.utf8.count):\(path)\n".utf8)
        input.append(contentsOf: body)
        let digest = Crypto.sha256(input)
        switch encoding {
        case .hex: return hex(digest)
        case .base64url: return Base64URL.encode(digest)
        }
    }

    /// The fingerprint of `request`: its method, its target (path and query) and its body.
    /// - Throws: what reading the body throws.
    public static func fingerprint(of request: Request, encoding: FingerprintEncoding = .hex) async throws -> String {
        fingerprint(method: request.method, path: request.target, body: try await request.bytes(), encoding: encoding)
    }

    /// Lower-case hex digits of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
