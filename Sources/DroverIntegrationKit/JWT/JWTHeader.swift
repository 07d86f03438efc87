import Drover

/// The JOSE header of a JWT (RFC 7515 §4): the members the verifier reads, typed, and the whole
/// object for the rest.
///
/// Members that point at keys (`jku`, `jwk`, `x5u`, `x5c`) are never followed: keys come only from
/// the verifier's key set, so a token cannot bring the key that checks it.
public struct JWTHeader: Sendable, Hashable {
    /// `alg` as written (`RS256`, `none`, `HS256`, …); the verifier decides which it accepts.
    public let algorithm: String
    /// `kid`: the id of the key in the JWKS that signed the token.
    public let keyID: String?
    /// `typ`, when present (`JWT`).
    public let type: String?
    /// Every member, as parsed.
    public let members: JSONObject

    /// The header in `json`.
    /// - Throws: ``JWTError/Code/invalidJSON`` when it is not an object;
    ///   ``JWTError/Code/invalidHeader`` when `alg` is missing or not a string, `kid` or `typ` is
    ///   not a string, or `crit` is present (RFC 7515 §4.1.11: a recipient that does not understand
    ///   the listed extensions must refuse the token, and this one understands none).
    public init(_ json: JSONValue) throws(JWTError) {
        guard let object = json.objectValue else {
            throw JWTError(.invalidJSON, "the header is a JSON \(json.kindName), not an object")
        }
        // One pass over the members, as ``JWTClaims`` reads the registered claims.
        var alg, kid, typ: JSONValue?
        for (name, value) in object.pairs {
            switch JWTClaims.threeLetters(name) {
            case 0x61_6c_67: alg = value  // "alg"
            case 0x6b_69_64: kid = value  // "kid"
            case 0x74_79_70: typ = value  // "typ"
            default:
                if name == "crit" {
                    throw JWTError(.invalidHeader, "the header has \"crit\": no critical extension is understood (RFC 7515 §4.1.11)")
                }
            }
        }
        guard let alg else { throw JWTError(.invalidHeader, "the header has no \"alg\"") }
        guard let algorithm = alg.stringValue else {
            throw JWTError(.invalidHeader, "the header's \"alg\" is a \(alg.kindName), not a string")
        }
        // Every check first, then every member at once (see ``JWTClaims``).
        let keyID = try Self.optionalString("kid", kid), type = try Self.optionalString("typ", typ)
        self.init(algorithm: algorithm, keyID: keyID, type: type, members: object)
    }

    private init(algorithm: String, keyID: String?, type: String?, members: JSONObject) {
        self.algorithm = algorithm
        self.keyID = keyID
        self.type = type
        self.members = members
    }

    private static func optionalString(_ name: String, _ value: JSONValue?) throws(JWTError) -> String? {
        guard let value else { return nil }
        guard let string = value.stringValue else {
            throw JWTError(.invalidHeader, "the header's \"\(name)\" is a \(value.kindName), not a string")
        }
        return string
    }
}
