/// Why a JWK was refused by ``JSONWebKey/init(_:)``. A JWK may come from anywhere (a JWKS fetched
/// over the network, a config value), so every malformed or unsafe key is an error, never a crash.
public enum JSONWebKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not JSON; the parser's message.
    case invalidJSON(String)
    /// The JSON is not an object.
    case notAnObject
    /// A member the key type needs is absent: `kty`; `n`, `e` (RSA); `crv`, `x`, `y` (EC).
    case missingMember(String)
    /// A member that must be a string is something else.
    case notAString(member: String)
    /// `kty` is not `RSA` or `EC`: no other key type verifies a signature here.
    case unsupportedKeyType(String)
    /// `crv` is not `P-256`.
    case unsupportedCurve(String)
    /// `alg` is not `RS256`, `PS256` or `ES256`.
    case unsupportedAlgorithm(String)
    /// `alg` belongs to another key type (`ES256` on an RSA key).
    case algorithmMismatch(alg: String, kty: String)
    /// `use` is present and not `sig`.
    case notForSignatures(use: String)
    /// The key carries a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`): only public
    /// keys are accepted, so a private key pasted by mistake is noticed.
    case privateKey(member: String)
    /// A member is not strict base64url.
    case invalidBase64URL(member: String)
    /// A member decodes to a value out of range; `reason` says which rule it breaks.
    case invalidValue(member: String, reason: String)
    /// The RSA modulus `n` has fewer than 2048 bits.
    case rsaModulusTooSmall(bits: Int)
    /// The RSA modulus `n` has more than 16384 bits.
    case rsaModulusTooLarge(bits: Int)
    /// `x` and `y` are not the coordinates of a point on P-256.
    case pointNotOnCurve

    public var description: String {
        switch self {
        case .invalidJSON(let message): return "JWK is not JSON: \(message)"
        case .notAnObject: return "JWK is not a JSON object"
        case .missingMember(let member): return "JWK has no \"\(member)\""
        case .notAString(let member): return "JWK member \"\(member)\" is not a string"
        case .unsupportedKeyType(let kty):
            return "JWK kty \"\(kty)\" is not supported: signatures are verified with \"RSA\" and \"EC\" keys"
        case .unsupportedCurve(let crv): return "JWK crv \"\(crv)\" is not supported: EC keys must be on \"P-256\""
        case .unsupportedAlgorithm(let alg): return "JWK alg \"\(alg)\" is not supported: use RS256, PS256 or ES256"
        case .algorithmMismatch(let alg, let kty): return "JWK alg \"\(alg)\" does not go with kty \"\(kty)\""
        case .notForSignatures(let use): return "JWK use is \"\(use)\", not \"sig\""
        case .privateKey(let member):
            return "JWK holds the private member \"\(member)\": give the public key only (never publish a private key)"
        case .invalidBase64URL(let member): return "JWK member \"\(member)\" is not base64url"
        case .invalidValue(let member, let reason): return "JWK member \"\(member)\" is invalid: \(reason)"
        case .rsaModulusTooSmall(let bits):
            return "JWK RSA modulus has \(bits) bits; RS256 and PS256 keys need at least 2048"
        case .rsaModulusTooLarge(let bits): return "JWK RSA modulus has \(bits) bits; at most 16384 are accepted"
        case .pointNotOnCurve: return "JWK x and y are not a point on P-256"
        }
    }
}
