/// A JWS signature algorithm that ``JSONWebKey/verify(signature:message:algorithm:)`` checks, named
/// as in a JWT header's `alg` and a JWK's `alg` (RFC 7518 §3.1).
///
/// `JWSAlgorithm(rawValue: header["alg"])` is nil for every other name: `none`, the HMAC
/// algorithms (`HS256`: check those with ``Crypto/hmacSHA256(key:data:)``), and the rest.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    case rs256 = "RS256"
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256 and a 32-byte salt (RFC 7518 §3.5).
    case ps256 = "PS256"
    /// ECDSA on P-256 with SHA-256; the signature is `r || s`, 32 bytes each (RFC 7518 §3.4).
    case es256 = "ES256"

    /// Hashed by case, not by its name as a raw-valued enum would be: a verifier asks a set of
    /// algorithms about every token.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .rs256: hasher.combine(0 as UInt8)
        case .ps256: hasher.combine(1 as UInt8)
        case .es256: hasher.combine(2 as UInt8)
        }
    }

    /// The `kty` of the keys that verify it: `"RSA"` or `"EC"`.
    public var keyType: String {
        switch self {
        case .rs256, .ps256: return "RSA"
        case .es256: return "EC"
        }
    }
}
