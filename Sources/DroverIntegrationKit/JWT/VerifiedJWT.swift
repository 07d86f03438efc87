import Drover

/// A token whose signature and claims ``JWTVerifier`` accepted, with the key that signed it.
public struct VerifiedJWT: Sendable {
    /// The token.
    public let token: JSONWebToken
    /// The key that verified the signature.
    public let key: JSONWebKey
    /// The algorithm it was verified with.
    public let algorithm: JWSAlgorithm
    /// Where the key set came from (a fresh KV copy, a stale one, a fetch).
    public let keySetSource: JWKSResult.Source

    /// The token's header.
    public var header: JWTHeader { token.header }
    /// The token's claims.
    public var claims: JWTClaims { token.claims }
}
