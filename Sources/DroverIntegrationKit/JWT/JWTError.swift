import Drover

/// Why a JWT was refused, or why it could not be checked.
///
/// Every refusal has its own ``code`` and a ``detail`` for the logs that names what was wrong
/// (`exp 1767225600 is 5 s or more before now 1767225605`). As an ``HTTPResponseError`` a refusal
/// answers 401 with a short ``message`` that never echoes the token's contents and a
/// `WWW-Authenticate: Bearer error="invalid_token"` header (RFC 6750 §3.1). When the keys could not
/// be had at all (``Code/jwksUnavailable``, ``Code/invalidKeySet``) the fault is not the client's:
/// 503, without the header.
///
/// ```swift
/// do {
///     let verified = try await verifier.verify(token)
/// } catch {
///     ctx.logger.notice("token refused: \(error.detail)")
///     return error.response
/// }
/// ```
public struct JWTError: HTTPResponseError, CustomStringConvertible, Hashable {
    /// What kind of refusal; compare with `==` against the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case tooLarge, malformed, invalidBase64URL, invalidJSON, invalidHeader, invalidClaim, unsupportedType
            case algorithmNone, hmacAlgorithm, unsupportedAlgorithm, algorithmNotAllowed, algorithmMismatch
            case missingKeyID, unknownKeyID, invalidSignature
            case missingClaim, expired, notYetValid, issuedInFuture, invalidIssuer, invalidAudience, invalidAuthorizedParty
            case invalidKeySet, jwksUnavailable
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The token is longer than ``JWTVerifier/Configuration/maximumTokenLength``.
        public static let tooLarge = Code(.tooLarge)
        /// Not three dot-separated parts (`header.payload.signature`, RFC 7515 §7.1).
        public static let malformed = Code(.malformed)
        /// A part is not base64url without padding (RFC 7515 §2).
        public static let invalidBase64URL = Code(.invalidBase64URL)
        /// The header or the payload is not a JSON object (RFC 7519 §7.2 steps 3–4 and 10).
        public static let invalidJSON = Code(.invalidJSON)
        /// A header member has the wrong type (`alg` missing or not a string, `kid` or `typ` not a
        /// string), or the header has `crit`, whose extensions are not understood (RFC 7515 §4.1.11).
        public static let invalidHeader = Code(.invalidHeader)
        /// A registered claim has the wrong type: `iss`, `sub`, `azp` not strings, `aud` neither a
        /// string nor an array of strings, `exp`, `nbf`, `iat` not finite numbers (RFC 7519 §4.1).
        public static let invalidClaim = Code(.invalidClaim)
        /// `typ` is present and not one of ``JWTVerifier/Configuration/types``.
        public static let unsupportedType = Code(.unsupportedType)
        /// `alg` is `none`: an unsigned token (RFC 7519 §6), never accepted.
        public static let algorithmNone = Code(.algorithmNone)
        /// `alg` is an HMAC algorithm (`HS256`, …): with published keys it is the algorithm-confusion
        /// attack (a public key used as the HMAC secret), never accepted.
        public static let hmacAlgorithm = Code(.hmacAlgorithm)
        /// `alg` is none of RS256, PS256 and ES256.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// `alg` is supported but not in ``JWTVerifier/Configuration/algorithms``.
        public static let algorithmNotAllowed = Code(.algorithmNotAllowed)
        /// The key the `kid` names cannot verify `alg`: another key type, or another `alg` named by
        /// the JWK (RFC 7517 §4.4).
        public static let algorithmMismatch = Code(.algorithmMismatch)
        /// The header has no `kid`, so no key of the set can be chosen.
        public static let missingKeyID = Code(.missingKeyID)
        /// No key of the set has the header's `kid`, even after the refetch the provider allowed.
        public static let unknownKeyID = Code(.unknownKeyID)
        /// The signature does not verify: the header, the payload or the signature was altered,
        /// or another key signed it.
        public static let invalidSignature = Code(.invalidSignature)
        /// `exp` or `sub`, which every accepted token has, is absent.
        public static let missingClaim = Code(.missingClaim)
        /// `exp` is at or before now minus the clock skew (RFC 7519 §4.1.4).
        public static let expired = Code(.expired)
        /// `nbf` is after now plus the clock skew (RFC 7519 §4.1.5).
        public static let notYetValid = Code(.notYetValid)
        /// `iat` is after now plus the clock skew.
        public static let issuedInFuture = Code(.issuedInFuture)
        /// `iss` is absent or not one of ``JWTVerifier/Configuration/issuers``.
        public static let invalidIssuer = Code(.invalidIssuer)
        /// ``JWTVerifier/Configuration/audiences`` is set and `aud` is absent or names none of them.
        public static let invalidAudience = Code(.invalidAudience)
        /// ``JWTVerifier/Configuration/authorizedParties`` is set and `azp` is not one of them (or
        /// is absent, when ``JWTVerifier/Configuration/requiresAuthorizedParty``).
        public static let invalidAuthorizedParty = Code(.invalidAuthorizedParty)
        /// A JWKS is not `{"keys": [...]}` with at least one usable key.
        public static let invalidKeySet = Code(.invalidKeySet)
        /// The JWKS could not be fetched and no copy of it is kept.
        public static let jwksUnavailable = Code(.jwksUnavailable)

        /// The code's name: `expired`, `unknownKeyID`, …
        public var description: String { value.rawValue }
    }

    /// What kind of refusal.
    public let code: Code
    /// What exactly was wrong, for the logs: claim values and key ids quoted and cut to 80
    /// characters; never the token itself.
    public let detail: String

    /// An error of `code`, with `detail` for the logs.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// 503 when no key set could be had, 401 otherwise.
    public var status: Int {
        code == .jwksUnavailable || code == .invalidKeySet ? 503 : 401
    }

    /// A short reason for the client that does not repeat the token's contents or the
    /// configuration: `invalid token: expired`.
    public var message: String {
        switch code {
        case .jwksUnavailable, .invalidKeySet: return "token keys unavailable"
        case .expired: return "invalid token: expired"
        case .notYetValid: return "invalid token: not yet valid"
        case .issuedInFuture: return "invalid token: issued in the future"
        case .invalidSignature: return "invalid token: bad signature"
        case .algorithmNone, .hmacAlgorithm, .unsupportedAlgorithm, .algorithmNotAllowed, .algorithmMismatch:
            return "invalid token: algorithm not accepted"
        case .missingKeyID, .unknownKeyID: return "invalid token: unknown key"
        case .invalidIssuer, .invalidAudience, .invalidAuthorizedParty, .missingClaim, .invalidClaim:
            return "invalid token: claims not accepted"
        default: return "invalid token: malformed"
        }
    }

    /// `WWW-Authenticate: Bearer error="invalid_token", error_description="<message>"` on a 401
    /// (RFC 6750 §3 and §3.1); none on a 503.
    public var headers: Headers {
        guard status == 401 else { return Headers() }
        return ["WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"\(message)\""]
    }

    /// `JWT refused (expired): exp 1767225600 is …`.
    public var description: String { "JWT refused (\(code)): \(detail)" }

    /// `value` as a JSON string literal cut to 80 characters, for a ``detail``: what a client sent
    /// (a `kid`, an `iss`) may be long or hold control characters.
    static func quoted(_ value: String) -> String {
        let cut = value.count > 80 ? String(value.prefix(80)) + "…" : value
        return JSONSerializer.string(.string(cut))
    }
}
