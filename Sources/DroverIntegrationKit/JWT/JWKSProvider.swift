import Drover

/// Where ``JWTVerifier`` gets the keys that check a token: a fixed ``JSONWebKeySet``, or a
/// ``JWKSCache`` that fetches an issuer's JWKS and keeps it in KV.
public protocol JWKSProvider: Sendable {
    /// The key set in which to look for `keyID`, the `kid` of the token being verified.
    ///
    /// A provider that fetches may fetch a newer set when the one it has lacks `keyID` (the issuer
    /// rotated its keys), as often as it judges safe; the verifier refuses the token when the set
    /// returned still lacks it.
    /// - Throws: ``JWTError`` with ``JWTError/Code/jwksUnavailable`` when no set can be had.
    func keySet(forKeyID keyID: String) async throws(JWTError) -> JWKSResult
}
