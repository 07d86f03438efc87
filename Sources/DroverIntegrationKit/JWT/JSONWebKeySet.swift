import Drover

/// A JWK Set (RFC 7517 §5): the public keys an issuer publishes at its JWKS URL, of which a JWT's
/// `kid` names one.
///
/// Parsing keeps every key `JSONWebKey` accepts and sets the others aside in ``refusedKeys``
/// (RFC 7517 §5: "implementations SHOULD ignore JWKs within a JWK Set that use 'kty' … values that
/// are not understood", which lets an issuer publish an encryption or an Ed25519 key beside its
/// signing keys). A set with no usable key, more than ``maximumKeyCount`` members or any other
/// shape than `{"keys": [...]}` is refused.
public struct JSONWebKeySet: Sendable, Hashable {
    /// The usable keys, in the set's order.
    public let keys: [JSONWebKey]
    /// Why each member of `keys` that is not a usable key was set aside.
    public let refusedKeys: [JSONWebKeyError]

    /// The most members of `keys` read: issuers publish two or three (the current key and the next).
    public static let maximumKeyCount = 100

    /// A set of the given keys.
    public init(keys: [JSONWebKey]) {
        self.keys = keys
        self.refusedKeys = []
    }

    /// The set `json` describes.
    /// - Throws: ``JWTError/Code/invalidKeySet`` when `json` is not an object with a `keys` array,
    ///   holds more than ``maximumKeyCount`` keys, or none that is usable.
    public init(_ json: JSONValue) throws(JWTError) {
        guard let members = json["keys"]?.arrayValue else {
            throw JWTError(.invalidKeySet, "a JWKS is a JSON object with a \"keys\" array")
        }
        guard members.count <= Self.maximumKeyCount else {
            throw JWTError(.invalidKeySet, "the JWKS has \(members.count) keys, more than the \(Self.maximumKeyCount) read")
        }
        var keys: [JSONWebKey] = []
        var refused: [JSONWebKeyError] = []
        for member in members {
            do {
                keys.append(try JSONWebKey(member))
            } catch {
                refused.append(error)
            }
        }
        guard !keys.isEmpty else {
            let reasons = refused.map(\.description).joined(separator: "; ")
            throw JWTError(.invalidKeySet, "the JWKS has no usable key" + (reasons.isEmpty ? "" : ": \(reasons)"))
        }
        self.keys = keys
        self.refusedKeys = refused
    }

    /// The set in the JSON text `bytes`.
    /// - Throws: ``JWTError/Code/invalidKeySet``, also when `bytes` is not JSON.
    public init(parsing bytes: [UInt8]) throws(JWTError) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw JWTError(.invalidKeySet, "the JWKS is not JSON: \(error.description)")
        }
        try self.init(json)
    }

    /// The keys whose `kid` is `keyID`, in the set's order (usually one).
    public func keys(withID keyID: String) -> [JSONWebKey] {
        keys.filter { $0.kid == keyID }
    }

    /// Whether a key has the `kid` `keyID`.
    public func containsKey(withID keyID: String) -> Bool {
        keys.contains { $0.kid == keyID }
    }

    /// The sorted, distinct `kid`s of the keys, for messages.
    var keyIDs: [String] {
        Array(Set(keys.compactMap(\.kid))).sorted()
    }
}

extension JSONWebKeySet: JWKSProvider {
    /// This set, whatever the `kid`: a fixed set is never refetched.
    public func keySet(forKeyID keyID: String) async throws(JWTError) -> JWKSResult {
        JWKSResult(keySet: self, source: .fixed)
    }
}
