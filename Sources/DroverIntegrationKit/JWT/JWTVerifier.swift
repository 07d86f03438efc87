import Drover
import Foundation

/// Verifies JWTs signed with RS256, PS256 or ES256 against a JWKS, then checks their claims: what
/// Clerk's backend SDK (`verifyToken`) and `jose`'s `jwtVerify` do in a worker.
///
/// ```swift
/// let verifier = JWTVerifier(
///     configuration: .init(issuer: env.vars["CLERK_ISSUER"] ?? "", authorizedParties: ["https://app.example.com"]),
///     keys: JWKSCache(url: jwksURL, kv: try env.kv("CACHE"), env: env, logger: ctx.logger),
///     clock: env.clock)
/// let verified = try await verifier.verify(token)   // a JWTError answers 401 when thrown from a handler
/// return .json(["userId": .string(verified.claims.subject ?? "")])
/// ```
///
/// The checks, in order; the first that fails throws its ``JWTError``:
/// 1. The token's size, its three parts, their base64url and JSON (``JSONWebToken``).
/// 2. The header: `typ`, when present, is one of ``Configuration/types``; `alg` is not `none`
///    and not an HMAC algorithm (RFC 8725 §2.1 and §3.1; PyJWT refuses a public key as an HMAC
///    secret for the same reason), is RS256, PS256 or ES256, and is in
///    ``Configuration/algorithms``; `kid` is present.
/// 3. The key: the ``JWKSProvider`` gives the set (fetching a newer one when `kid` is unknown, as
///    its rate limit allows); a key with that `kid` exists and can verify `alg` — its `kty` is the
///    algorithm's and its own `alg`, when the JWK names one, is the same (RFC 7517 §4.4), which
///    closes algorithm confusion between key types and between RS256 and PS256.
/// 4. The signature over `header.payload` as received, by Drover's `JSONWebKey` (libcrypto).
/// 5. The claims, only once the signature holds, so that an unsigned token learns nothing of the
///    configuration: `exp` (required; expired when `exp <= now - skew`), `nbf` (refused when
///    `nbf > now + skew`), `iat` (refused when `iat > now + skew`) — the boundaries are Clerk's —
///    then `iss`, `aud`, `azp` and `sub` (required, as Clerk). Clerk checks `sub`, `aud` and `azp`
///    before the times; the outcome is the same 401, only the reason named first differs.
///
/// Time is read from the injected clock (`env.clock`) only.
public struct JWTVerifier: Sendable {
    /// What is accepted.
    public let configuration: Configuration
    /// Where the keys come from.
    public let keys: any JWKSProvider
    /// The clock `exp`, `nbf` and `iat` are checked against.
    public let clock: any WallClock

    /// A verifier of tokens signed by a key of `keys`, checked against `clock`.
    public init(configuration: Configuration, keys: any JWKSProvider, clock: any WallClock) {
        self.configuration = configuration
        self.keys = keys
        self.clock = clock
    }

    /// The token `compact`, verified.
    /// - Throws: ``JWTError``: the refusal (401), or ``JWTError/Code/jwksUnavailable`` when the
    ///   provider has no key set (503).
    public func verify(_ compact: String) async throws(JWTError) -> VerifiedJWT {
        let token = try JSONWebToken(compact: compact, maximumLength: configuration.maximumTokenLength)
        let (algorithm, keyID) = try checkHeader(of: token.parts)
        let result = try await keys.keySet(forKeyID: keyID)
        return try verify(token, algorithm: algorithm, keyID: keyID, result: result, now: clock.now())
    }

    /// Steps 3 (choosing the key) to 5 on a parsed token whose header passed ``checkHeader(of:)``.
    func verify(_ token: JSONWebToken, algorithm: JWSAlgorithm, keyID: String, result: JWKSResult, now: Date) throws(JWTError) -> VerifiedJWT {
        guard let key = result.keySet.keys.first(where: { $0.kid == keyID && $0.canVerify(algorithm) }) else {
            if let other = result.keySet.keys(withID: keyID).first {
                throw JWTError(.algorithmMismatch, "the token's alg is \(algorithm.rawValue) but its key is \(other.description)")
            }
            var detail = "no key of the JWKS has kid \(JWTError.quoted(keyID)); its kids: \(result.keySet.keyIDs.map(JWTError.quoted).joined(separator: ", "))"
            if let note = result.note { detail += "; \(note)" }
            throw JWTError(.unknownKeyID, detail)
        }
        guard token.parts.withSigningInput({ key.verify(signature: token.parts.signature, message: $0, algorithm: algorithm) }) else {
            throw JWTError(.invalidSignature, "the \(algorithm.rawValue) signature does not verify under the key kid \(JWTError.quoted(keyID))")
        }
        try checkClaims(token.parts.claims, now: now)
        return VerifiedJWT(token: token, key: key, algorithm: algorithm, keySetSource: result.source)
    }

    /// Step 2: the header's `typ`, `alg` and `kid`, read where the token holds them (a copy of the
    /// header would retain each of its strings and its members).
    func checkHeader(of parts: JSONWebToken.Parts) throws(JWTError) -> (JWSAlgorithm, String) {
        if let type = parts.header.type, !configuration.types.contains(type),
            !configuration.types.contains(where: { $0.lowercased() == type.lowercased() })
        {
            throw JWTError(.unsupportedType, "typ is \(JWTError.quoted(type)), not one of \(configuration.types.joined(separator: ", "))")
        }
        let name = parts.header.algorithm
        guard let algorithm = JWSAlgorithm(rawValue: name) else {
            if name.lowercased() == "none" {
                throw JWTError(.algorithmNone, "alg is \(JWTError.quoted(name)): an unsigned token is never accepted")
            }
            if name.uppercased().hasPrefix("HS") {
                throw JWTError(.hmacAlgorithm, "alg is \(JWTError.quoted(name)): HMAC tokens are never accepted against published keys")
            }
            throw JWTError(.unsupportedAlgorithm, "alg is \(JWTError.quoted(name)), not RS256, PS256 or ES256")
        }
        guard configuration.algorithms.contains(algorithm) else {
            let allowed = configuration.algorithms.map(\.rawValue).sorted().joined(separator: ", ")
            throw JWTError(.algorithmNotAllowed, "alg is \(name), not one of the configured \(allowed)")
        }
        guard let keyID = parts.header.keyID else { throw JWTError(.missingKeyID, "the header has no kid to choose a key by") }
        return (algorithm, keyID)
    }

    /// Step 5: the claims at `now`.
    func checkClaims(_ claims: borrowing JWTClaims, now date: Date) throws(JWTError) {
        let now = date.timeIntervalSince1970
        let skew = Self.seconds(configuration.clockSkew)
        guard let expiration = claims.expirationTime else { throw JWTError(.missingClaim, "the token has no exp") }
        if expiration <= now - skew {
            throw JWTError(.expired, "exp \(Self.format(expiration)) is \(Self.format(skew)) s or more before now \(Self.format(now))")
        }
        if let notBefore = claims.notBeforeTime, notBefore > now + skew {
            throw JWTError(.notYetValid, "nbf \(Self.format(notBefore)) is more than \(Self.format(skew)) s after now \(Self.format(now))")
        }
        if let issuedAt = claims.issuedAtTime, issuedAt > now + skew {
            throw JWTError(.issuedInFuture, "iat \(Self.format(issuedAt)) is more than \(Self.format(skew)) s after now \(Self.format(now))")
        }
        guard let issuer = claims.issuer else { throw JWTError(.invalidIssuer, "the token has no iss") }
        guard configuration.issuers.contains(issuer) else {
            throw JWTError(.invalidIssuer, "iss \(JWTError.quoted(issuer)) is not one of the configured issuers")
        }
        if let audiences = configuration.audiences {
            guard let audience = claims.audience else { throw JWTError(.invalidAudience, "the token has no aud") }
            guard audience.contains(where: audiences.contains) else {
                throw JWTError(.invalidAudience, "aud \(audience.prefix(5).map(JWTError.quoted).joined(separator: ", ")) names none of the configured audiences")
            }
        }
        if let parties = configuration.authorizedParties {
            if let party = claims.authorizedParty {
                guard parties.contains(party) else {
                    throw JWTError(.invalidAuthorizedParty, "azp \(JWTError.quoted(party)) is not one of the configured authorized parties")
                }
            } else if configuration.requiresAuthorizedParty {
                throw JWTError(.invalidAuthorizedParty, "the token has no azp, and authorized parties are configured")
            }
        }
        guard claims.subject != nil else { throw JWTError(.missingClaim, "the token has no sub") }
    }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `1767225600` for a whole number of seconds, `1767225600.5` otherwise.
    static func format(_ seconds: Double) -> String {
        if let whole = Int64(exactly: seconds) { return String(whole) }
        return String(seconds)
    }
}
