import Drover

extension JWTVerifier {
    /// What a ``JWTVerifier`` accepts. Every knob is named here with its default; only the issuers
    /// have none, because a token from an unexpected issuer must never pass by default.
    public struct Configuration: Sendable {
        /// The accepted `iss` values, compared exactly. An empty list accepts no token.
        public var issuers: [String]
        /// The accepted `aud` values: a token passes when its `aud` names at least one of them,
        /// and is refused when it has no `aud`. Nil (the default) does not look at `aud`, as
        /// Clerk, whose session tokens carry `azp` instead; set it whenever the issuer signs
        /// tokens for other services too.
        public var audiences: [String]?
        /// The accepted `azp` values (Clerk's `authorizedParties`: the origins of the pages that
        /// may obtain tokens, which stops a session token leaked from a sibling subdomain). Nil
        /// (the default) does not look at `azp`.
        public var authorizedParties: [String]?
        /// Whether a token without `azp` is refused when ``authorizedParties`` is set: true by
        /// default, as Clerk's backend SDK does since omitting the claim would otherwise bypass the
        /// check; false accepts a token that has none and checks it only when present.
        public var requiresAuthorizedParty: Bool
        /// The accepted `alg` values: RS256 by default. `none` and the HMAC algorithms are never
        /// accepted whatever this says (PyJWT's lesson: the caller names the algorithms, the token
        /// does not choose them).
        public var algorithms: Set<JWSAlgorithm>
        /// How far the issuer's clock may be from ours when checking `exp`, `nbf` and `iat`: 5 s by
        /// default, as Clerk's `clockSkewInMs`.
        public var clockSkew: Duration
        /// The accepted `typ` values when the header has one, compared case-insensitively (media
        /// types, RFC 7515 §4.1.9); a header without `typ` passes. `["JWT"]` by default, as Clerk.
        public var types: [String]
        /// The longest token accepted, in bytes: ``JSONWebToken/defaultMaximumLength`` (16 KiB) by
        /// default.
        public var maximumTokenLength: Int

        /// A configuration that accepts tokens from the issuers `issuers`.
        public init(
            issuers: [String],
            audiences: [String]? = nil,
            authorizedParties: [String]? = nil,
            requiresAuthorizedParty: Bool = true,
            algorithms: Set<JWSAlgorithm> = [.rs256],
            clockSkew: Duration = .seconds(5),
            types: [String] = ["JWT"],
            maximumTokenLength: Int = JSONWebToken.defaultMaximumLength
        ) {
            self.issuers = issuers
            self.audiences = audiences
            self.authorizedParties = authorizedParties
            self.requiresAuthorizedParty = requiresAuthorizedParty
            self.algorithms = algorithms
            self.clockSkew = clockSkew
            self.types = types
            self.maximumTokenLength = maximumTokenLength
        }

        /// A configuration that accepts tokens from `issuer` alone.
        public init(
            issuer: String,
            audiences: [String]? = nil,
            authorizedParties: [String]? = nil,
            requiresAuthorizedParty: Bool = true,
            algorithms: Set<JWSAlgorithm> = [.rs256],
            clockSkew: Duration = .seconds(5)
        ) {
            self.init(
                issuers: [issuer], audiences: audiences, authorizedParties: authorizedParties,
                requiresAuthorizedParty: requiresAuthorizedParty, algorithms: algorithms, clockSkew: clockSkew)
        }
    }
}
