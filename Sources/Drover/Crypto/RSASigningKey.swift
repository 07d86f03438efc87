/// An RSA private key that signs RS256 (RSASSA-PKCS1-v1_5 with SHA-256): `crypto.subtle.generateKey`
/// and `crypto.subtle.sign` for the tokens a worker issues itself — a session token, a test token,
/// a fake identity provider's. Its public half is published as a JWK (``publicJWK(keyID:)``) that
/// ``JSONWebKey`` verifies.
///
/// Keep it where secrets go: ``pem`` is the whole private key. A value never prints it
/// (``description`` names the key size only).
///
/// ```swift
/// let key = try RSASigningKey(pem: try env.secret("TOKEN_SIGNING_KEY"))
/// let input = Base64URL.encode(JSONSerializer.bytes(header)) + "." + Base64URL.encode(JSONSerializer.bytes(claims))
/// let token = input + "." + Base64URL.encode(key.signRS256(Array(input.utf8)))
/// ```
public struct RSASigningKey: Sendable, CustomStringConvertible {
    private let key: OpenSSLPrivateKey

    /// The sizes ``generate(bits:)`` makes: RS256 keys of at least 2048 bits (RFC 7518 §3.3).
    public static let allowedBits: Set<Int> = [2048, 3072, 4096]

    /// A new key of `bits` bits (2048, 3072 or 4096), public exponent 65537.
    /// - Throws: ``JSONWebKeyError/invalidValue(member:reason:)`` for another size.
    public static func generate(bits: Int = 2048) throws(JSONWebKeyError) -> RSASigningKey {
        guard allowedBits.contains(bits) else { throw .invalidValue(member: "bits", reason: "\(bits) is not 2048, 3072 or 4096") }
        return RSASigningKey(key: .generateRSA(bits: bits))
    }

    /// The RSA private key in `pem` (PKCS #8 `PRIVATE KEY` or PKCS #1 `RSA PRIVATE KEY`, without a
    /// passphrase), as ``pem`` writes it.
    /// - Throws: ``JSONWebKeyError/invalidValue(member:reason:)`` naming the problem — never the
    ///   key's text; ``JSONWebKeyError/rsaModulusTooSmall(bits:)`` under 2048 bits.
    public init(pem: String) throws(JSONWebKeyError) {
        guard let key = OpenSSLPrivateKey.rsa(pem: pem) else {
            throw .invalidValue(member: "pem", reason: "not an unencrypted RSA private key in PEM")
        }
        let bits = key.signatureSize * 8
        guard bits >= 2048 else { throw .rsaModulusTooSmall(bits: bits) }
        self.key = key
    }

    private init(key: OpenSSLPrivateKey) {
        self.key = key
    }

    /// The private key as PKCS #8 PEM: a secret.
    public var pem: String { key.pem }

    /// The public half as a JWK: `{"kty": "RSA", "n", "e", "alg": "RS256", "use": "sig", "kid"?}`.
    public func publicJWK(keyID: String? = nil) -> JSONValue {
        let (modulus, exponent) = key.rsaPublicNumbers
        var jwk: JSONObject = [
            "kty": "RSA", "n": .string(Base64URL.encode(modulus)), "e": .string(Base64URL.encode(exponent)), "alg": "RS256", "use": "sig",
        ]
        if let keyID { jwk["kid"] = .string(keyID) }
        return .object(jwk)
    }

    /// The RS256 signature of `message`, as long as the modulus.
    public func signRS256(_ message: some Sequence<UInt8>) -> [UInt8] {
        key.signSHA256(message)
    }

    /// `RSASigningKey(2048 bits)`: never the key.
    public var description: String { "RSASigningKey(\(key.signatureSize * 8) bits)" }
}
