/// A public key in JWK form (RFC 7517) that verifies JWS signatures: RSA for RS256 and PS256,
/// EC P-256 for ES256 — what `crypto.subtle.importKey("jwk", ...)` followed by
/// `crypto.subtle.verify` does in a worker.
///
/// ```swift
/// let key = try JSONWebKey(parsing: #"{"kty":"EC","crv":"P-256","x":"f83O…","y":"x_FE…"}"#)
/// let parts = token.split(separator: ".", omittingEmptySubsequences: false)
/// guard parts.count == 3, let signature = Base64URL.decode(parts[2]),
///       key.verify(signature: signature, message: "\(parts[0]).\(parts[1])".utf8, algorithm: .es256)
/// else { throw HTTPError(401) }
/// ```
///
/// Parsing refuses anything malformed or weak, each with its ``JSONWebKeyError``: another `kty`
/// or curve, a private key, RSA moduli under 2048 bits, exponents that are even, 1 or longer than
/// 33 bits, points not on the curve. Members other than those below (`x5c`, `key_ops`, …) are
/// ignored. The key is built once, by libcrypto, and shared by every copy of the value.
public struct JSONWebKey: Sendable, Hashable, CustomStringConvertible {
    /// The public numbers of a key.
    public enum Parameters: Sendable, Hashable {
        /// An RSA key (`kty` `RSA`): modulus `n` and exponent `e`, unsigned big-endian, without
        /// leading zero bytes.
        case rsa(n: [UInt8], e: [UInt8])
        /// An EC key on P-256 (`kty` `EC`, `crv` `P-256`): the point's coordinates, 32 bytes each.
        case p256(x: [UInt8], y: [UInt8])
    }

    /// The key's numbers.
    public let parameters: Parameters
    /// `alg`: the one algorithm the key is meant for, when the JWK names one.
    public let alg: JWSAlgorithm?
    /// `use`: `"sig"` when the JWK says so (any other value is refused).
    public let use: String?
    /// `kid`: the key's identifier, matched against a JWT header's `kid` to pick a key.
    public let kid: String?
    /// The key in libcrypto's form.
    let publicKey: OpenSSLPublicKey

    /// `kty`: `"RSA"` or `"EC"`.
    public var kty: String {
        switch parameters {
        case .rsa: return "RSA"
        case .p256: return "EC"
        }
    }

    /// The RSA modulus floor, in bits: "A key of size 2048 bits or larger MUST be used with these
    /// algorithms" (RFC 7518 §3.3 and §3.5).
    static let minimumRSAModulusBits = 2048
    /// The RSA modulus ceiling, in bits: OpenSSL's `OPENSSL_RSA_MAX_MODULUS_BITS`, and BoringSSL's limit.
    static let maximumRSAModulusBits = 16384

    /// The key a parsed JWK object describes.
    public init(_ json: JSONValue) throws(JSONWebKeyError) {
        guard let object = json.objectValue else { throw .notAnObject }
        let kty = try Self.requiredString("kty", in: object)
        guard kty == "RSA" || kty == "EC" else { throw .unsupportedKeyType(kty) }
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] where object[member] != nil {
            throw .privateKey(member: member)
        }
        let use = try Self.optionalString("use", in: object)
        if let use, use != "sig" { throw .notForSignatures(use: use) }
        var alg: JWSAlgorithm?
        if let name = try Self.optionalString("alg", in: object) {
            guard let algorithm = JWSAlgorithm(rawValue: name) else { throw .unsupportedAlgorithm(name) }
            guard algorithm.keyType == kty else { throw .algorithmMismatch(alg: name, kty: kty) }
            alg = algorithm
        }
        self.alg = alg
        self.use = use
        self.kid = try Self.optionalString("kid", in: object)
        if kty == "RSA" {
            (parameters, publicKey) = try Self.rsaKey(in: object)
        } else {
            (parameters, publicKey) = try Self.p256Key(in: object)
        }
    }

    /// The key a JWK's JSON text describes.
    public init(parsing json: String) throws(JSONWebKeyError) {
        try self.init(parsing: Array(json.utf8))
    }

    /// The key a JWK's JSON bytes (UTF-8) describe.
    public init(parsing json: [UInt8]) throws(JSONWebKeyError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            throw .invalidJSON(error.description)
        }
        try self.init(value)
    }

    /// `RSA 2048-bit key`, `EC P-256 key`, then `alg`, `use` and `kid` when the JWK has them.
    public var description: String {
        var text: String
        switch parameters {
        case .rsa(let n, _): text = "RSA \(Self.bitCount(n))-bit key"
        case .p256: text = "EC P-256 key"
        }
        if let alg { text += " alg=\(alg.rawValue)" }
        if let use { text += " use=\(use)" }
        if let kid { text += " kid=\(kid)" }
        return text
    }

    public static func == (lhs: JSONWebKey, rhs: JSONWebKey) -> Bool {
        lhs.parameters == rhs.parameters && lhs.alg == rhs.alg && lhs.use == rhs.use && lhs.kid == rhs.kid
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(parameters)
        hasher.combine(alg)
        hasher.combine(use)
        hasher.combine(kid)
    }

    /// `n` and `e`, checked as BoringSSL's `rsa_check_public_key` does (odd modulus of at most
    /// 16384 bits, odd exponent of 2 to 33 bits), plus the 2048-bit floor.
    private static func rsaKey(in object: JSONObject) throws(JSONWebKeyError) -> (Parameters, OpenSSLPublicKey) {
        let n = try unsignedInteger("n", in: object)
        let e = try unsignedInteger("e", in: object)
        let bits = bitCount(n)
        guard bits >= minimumRSAModulusBits else { throw .rsaModulusTooSmall(bits: bits) }
        guard bits <= maximumRSAModulusBits else { throw .rsaModulusTooLarge(bits: bits) }
        guard n[n.count - 1] & 1 == 1 else { throw .invalidValue(member: "n", reason: "even, and an RSA modulus is odd") }
        guard e[e.count - 1] & 1 == 1, (2...33).contains(bitCount(e)) else {
            throw .invalidValue(member: "e", reason: "the exponent must be odd, from 3 to 2^33 - 1")
        }
        guard let key = OpenSSLPublicKey.rsa(modulus: n, exponent: e) else {
            throw .invalidValue(member: "n", reason: "libcrypto refused the RSA key")
        }
        return (.rsa(n: n, e: e), key)
    }

    /// `crv`, `x` and `y` of a P-256 key whose point libcrypto accepts.
    private static func p256Key(in object: JSONObject) throws(JSONWebKeyError) -> (Parameters, OpenSSLPublicKey) {
        let crv = try requiredString("crv", in: object)
        guard crv == "P-256" else { throw .unsupportedCurve(crv) }
        let x = try bytes("x", in: object)
        let y = try bytes("y", in: object)
        for (member, coordinate) in [("x", x), ("y", y)] where coordinate.count != 32 {
            throw .invalidValue(member: member, reason: "\(coordinate.count) bytes; P-256 coordinates are 32 bytes")
        }
        guard let key = OpenSSLPublicKey.p256(x: x, y: y) else { throw .pointNotOnCurve }
        return (.p256(x: x, y: y), key)
    }

    /// The bit length of an unsigned big-endian number without leading zero bytes.
    private static func bitCount(_ number: [UInt8]) -> Int {
        number.count * 8 - (number.first?.leadingZeroBitCount ?? 0)
    }

    /// A base64url member read as an unsigned big-endian integer (RFC 7518 §2 `Base64urlUInt`),
    /// without its leading zero bytes; refused when empty or zero.
    private static func unsignedInteger(_ member: String, in object: JSONObject) throws(JSONWebKeyError) -> [UInt8] {
        let value = try bytes(member, in: object)
        guard !value.isEmpty else { throw .invalidValue(member: member, reason: "empty") }
        guard let first = value.firstIndex(where: { $0 != 0 }) else { throw .invalidValue(member: member, reason: "zero") }
        return Array(value[first...])
    }

    /// The bytes of a required base64url member.
    private static func bytes(_ member: String, in object: JSONObject) throws(JSONWebKeyError) -> [UInt8] {
        let text = try requiredString(member, in: object)
        guard let value = Base64URL.decode(text) else { throw .invalidBase64URL(member: member) }
        return value
    }

    private static func requiredString(_ member: String, in object: JSONObject) throws(JSONWebKeyError) -> String {
        guard let value = try optionalString(member, in: object) else { throw .missingMember(member) }
        return value
    }

    private static func optionalString(_ member: String, in object: JSONObject) throws(JSONWebKeyError) -> String? {
        guard let value = object[member] else { return nil }
        guard let string = value.stringValue else { throw .notAString(member: member) }
        return string
    }
}
