import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

/// Tokens signed by `openssl` keys, verified against a fixed JWKS: what is accepted, and each
/// refusal with its own code — the unsigned and HMAC tokens, algorithm confusion, unknown keys,
/// tampering — and the 401 they answer.
@Suite("JWT verification")
struct JWTVerifierTests {
    static let allAlgorithms: Set<JWSAlgorithm> = [.rs256, .ps256, .es256]

    static func verifier(
        _ keys: TestKeys, _ configuration: JWTVerifier.Configuration = .init(issuer: testIssuer), clock: ManualWallClock = jwtTestClock()
    ) throws -> JWTVerifier {
        JWTVerifier(configuration: configuration, keys: try JSONWebKeySet(keys.jwks), clock: clock)
    }

    /// The token with its part `index` (0 header, 1 payload, 2 signature) replaced.
    static func replacing(part index: Int, of token: String, with part: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[index] = part
        return parts.joined(separator: ".")
    }

    @Test("an RS256 token signed by the key its kid names is accepted, claims and key returned")
    func rs256() async throws {
        let keys = try TestKeys.make()
        let verified = try await Self.verifier(keys).verify(try TestToken.signed(key: keys.rsa))
        #expect(verified.claims.subject == "user_1")
        #expect(verified.claims["sid"] == "sess_1")
        #expect(verified.header.keyID == "rsa-1")
        #expect(verified.algorithm == .rs256)
        #expect(verified.key == (try keys.rsa.publicKey()))
        #expect(verified.keySetSource == .fixed)
    }

    @Test("ES256 and PS256 tokens are accepted when configured", arguments: [JWSAlgorithm.es256, .ps256])
    func otherAlgorithms(_ algorithm: JWSAlgorithm) async throws {
        let keys = try TestKeys.make()
        let key = algorithm == .es256 ? keys.ec : keys.pss
        let token = try TestToken.signed(key: key, algorithm: algorithm)
        let verifier = try Self.verifier(keys, .init(issuer: testIssuer, algorithms: Self.allAlgorithms))
        #expect(try await verifier.verify(token).algorithm == algorithm)
        // Not configured: refused before any key is looked at.
        #expect(await jwtErrorCode { _ = try await Self.verifier(keys).verify(token) } == .algorithmNotAllowed)
    }

    @Test("alg none is refused, in any spelling, whatever the configuration")
    func algorithmNone() async throws {
        let keys = try TestKeys.make()
        let verifier = try Self.verifier(keys, .init(issuer: testIssuer, algorithms: Self.allAlgorithms))
        for name in ["none", "None", "NONE", "nOnE"] {
            let token = TestToken.unsigned(header: ["alg": .string(name), "typ": "JWT", "kid": "rsa-1"])
            #expect(await jwtErrorCode { _ = try await verifier.verify(token) } == .algorithmNone, "\(name)")
        }
    }

    @Test("algorithm confusion: an HS256 token whose secret is the RSA public key is refused")
    func hmacConfusion() async throws {
        let keys = try TestKeys.make()
        let verifier = try Self.verifier(keys, .init(issuer: testIssuer, algorithms: Self.allAlgorithms))
        // What a naive verifier would accept: the HMAC of the signing input under the public key's
        // PEM text, or under its modulus.
        let modulus = try #require(keys.rsa.jwk["n"]?.stringValue.flatMap { Base64URL.decode($0) })
        for (alg, secret) in [("HS256", keys.rsaPublicPEM), ("HS256", modulus), ("HS384", keys.rsaPublicPEM), ("HS512", keys.rsaPublicPEM)] {
            let input = TestToken.signingInput(header: ["alg": .string(alg), "typ": "JWT", "kid": "rsa-1"], claims: TestKeys.claims())
            let token = input + "." + Base64URL.encode(Crypto.hmacSHA256(key: secret, data: Array(input.utf8)))
            let error = try #require(await jwtError { try await verifier.verify(token) })
            #expect(error.code == .hmacAlgorithm)
            #expect(error.detail.contains(alg))
        }
    }

    @Test("algorithms that are not RS256, PS256 or ES256 are refused", arguments: ["RS512", "ES384", "EdDSA", "ES256K", "rs256", ""])
    func unsupportedAlgorithm(_ name: String) async throws {
        let keys = try TestKeys.make()
        let token = TestToken.unsigned(header: ["alg": .string(name), "typ": "JWT", "kid": "rsa-1"], signature: Array(repeating: 1, count: 256))
        #expect(await jwtErrorCode { _ = try await Self.verifier(keys).verify(token) } == .unsupportedAlgorithm)
    }

    @Test("a key cannot verify another key type's algorithm, nor one its JWK does not name")
    func algorithmMismatch() async throws {
        let keys = try TestKeys.make()
        let verifier = try Self.verifier(keys, .init(issuer: testIssuer, algorithms: Self.allAlgorithms))
        // ES256 claimed, RSA key named.
        let es = try TestToken.signed(key: keys.ec, algorithm: .es256, kid: "rsa-1")
        #expect(await jwtErrorCode { _ = try await verifier.verify(es) } == .algorithmMismatch)
        // An RS256 signature by the key published for PS256 only: it would verify as RS256 under
        // that key, and is refused because the JWK says "alg": "PS256" (RFC 7517 §4.4).
        let rs = try TestToken.signed(key: keys.pss, algorithm: .rs256)
        var withoutAlg = try #require(keys.pss.jwk.objectValue)
        withoutAlg["alg"] = nil
        let parsed = try JSONWebToken(compact: rs)
        #expect(try JSONWebKey(.object(withoutAlg)).verify(signature: parsed.signature, message: parsed.signingInput, algorithm: .rs256))
        #expect(await jwtErrorCode { _ = try await verifier.verify(rs) } == .algorithmMismatch)
        // PS256 claimed, the RS256 key named.
        let ps = try TestToken.signed(key: keys.rsa, algorithm: .ps256)
        #expect(await jwtErrorCode { _ = try await verifier.verify(ps) } == .algorithmMismatch)
        // RS256 claimed, the EC key named.
        let ec = try TestToken.signed(key: keys.rsa, algorithm: .rs256, kid: "ec-1")
        #expect(await jwtErrorCode { _ = try await verifier.verify(ec) } == .algorithmMismatch)
    }

    @Test("a missing or unknown kid is refused")
    func keyIDs() async throws {
        let keys = try TestKeys.make()
        let verifier = try Self.verifier(keys)
        let noKid = TestToken.unsigned(header: ["alg": "RS256", "typ": "JWT"], signature: Array(repeating: 1, count: 256))
        #expect(await jwtErrorCode { _ = try await verifier.verify(noKid) } == .missingKeyID)
        let unknown = try TestToken.signed(key: keys.rotated)
        let error = try #require(await jwtError { try await verifier.verify(unknown) })
        #expect(error.code == .unknownKeyID)
        #expect(error.detail.contains("\"rsa-2\"") && error.detail.contains("\"rsa-1\""))
    }

    @Test("a tampered header, payload or signature, or another key's signature, is refused")
    func tampering() async throws {
        let keys = try TestKeys.make()
        let verifier = try Self.verifier(keys)
        let token = try TestToken.signed(key: keys.rsa)
        _ = try await verifier.verify(token)
        let parts = token.split(separator: ".").map(String.init)
        let header: JSONValue = ["alg": "RS256", "typ": "JWT", "kid": "rsa-1", "x": 1]
        let payload = TestKeys.claims(["sub": "user_admin"])
        var signature = try #require(Base64URL.decode(parts[2]))
        signature[signature.count / 2] ^= 0x10
        let tampered = [
            Self.replacing(part: 0, of: token, with: Base64URL.encode(JSONSerializer.bytes(header))),
            Self.replacing(part: 1, of: token, with: Base64URL.encode(JSONSerializer.bytes(payload))),
            Self.replacing(part: 2, of: token, with: Base64URL.encode(signature)),
            Self.replacing(part: 2, of: token, with: Base64URL.encode(signature.dropLast())),
            Self.replacing(part: 2, of: token, with: ""),
            try TestToken.signed(key: keys.rotated, kid: "rsa-1"),
        ]
        for text in tampered {
            #expect(await jwtErrorCode { _ = try await verifier.verify(text) } == .invalidSignature)
        }
    }

    @Test("malformed tokens are refused by verify with the parser's codes")
    func malformed() async throws {
        let keys = try TestKeys.make()
        let verifier = try Self.verifier(keys)
        let token = try TestToken.signed(key: keys.rsa)
        #expect(await jwtErrorCode { _ = try await verifier.verify("a.b") } == .malformed)
        #expect(await jwtErrorCode { _ = try await verifier.verify(token + ".x") } == .malformed)
        #expect(await jwtErrorCode { _ = try await verifier.verify("*" + token) } == .invalidBase64URL)
        #expect(await jwtErrorCode { _ = try await verifier.verify(Self.replacing(part: 1, of: token, with: "bm90IGpzb24")) } == .invalidJSON)
        #expect(await jwtErrorCode { _ = try await verifier.verify(token + String(repeating: "A", count: 16 * 1024)) } == .tooLarge)
    }

    @Test("typ is checked when present, case-insensitively; a header without typ passes")
    func types() async throws {
        let keys = try TestKeys.make()
        let verifier = try Self.verifier(keys)
        let lower = TestToken.signingInput(header: ["alg": "RS256", "typ": "jwt", "kid": "rsa-1"], claims: TestKeys.claims())
        let lowerToken = lower + "." + Base64URL.encode(try keys.rsa.sign(Array(lower.utf8), algorithm: .rs256))
        #expect(try await verifier.verify(lowerToken).claims.subject == "user_1")
        let bare = TestToken.signingInput(header: ["alg": "RS256", "kid": "rsa-1"], claims: TestKeys.claims())
        let bareToken = bare + "." + Base64URL.encode(try keys.rsa.sign(Array(bare.utf8), algorithm: .rs256))
        #expect(try await verifier.verify(bareToken).header.type == nil)
        let other = TestToken.unsigned(header: ["alg": "RS256", "typ": "at+jwt", "kid": "rsa-1"], signature: [1])
        #expect(await jwtErrorCode { _ = try await verifier.verify(other) } == .unsupportedType)
    }

    @Test("exp at now minus the skew is expired; a millisecond later it is not (signed token, manual clock)")
    func expiryEdge() async throws {
        let keys = try TestKeys.make()
        let clock = jwtTestClock()
        let verifier = try Self.verifier(keys, clock: clock)
        let token = try TestToken.signed(key: keys.rsa)  // exp = start + 60
        clock.set(Date(timeIntervalSince1970: jwtTestStart + 65))
        #expect(await jwtErrorCode { _ = try await verifier.verify(token) } == .expired)
        clock.set(Date(timeIntervalSince1970: jwtTestStart + 64.999))
        #expect(try await verifier.verify(token).claims.subject == "user_1")
    }

    @Test("the signature is checked before the claims: an expired forgery is a bad signature")
    func signatureBeforeClaims() async throws {
        let keys = try TestKeys.make()
        let clock = jwtTestClock()
        clock.advance(by: 3600)
        let token = try TestToken.signed(key: keys.rsa)
        let forged = Self.replacing(part: 1, of: token, with: Base64URL.encode(JSONSerializer.bytes(TestKeys.claims(["iss": "evil"]))))
        #expect(await jwtErrorCode { _ = try await Self.verifier(keys, clock: clock).verify(forged) } == .invalidSignature)
        #expect(await jwtErrorCode { _ = try await Self.verifier(keys, clock: clock).verify(token) } == .expired)
    }

    @Test("a refusal answers 401 with WWW-Authenticate; missing keys answer 503")
    func responses() async throws {
        let refusal = JWTError(.expired, "exp 1 is 5 s or more before now 7")
        #expect(refusal.status == 401)
        #expect(refusal.message == "invalid token: expired")
        #expect(refusal.headers["WWW-Authenticate"] == #"Bearer error="invalid_token", error_description="invalid token: expired""#)
        let response = refusal.response
        #expect(response.status == 401)
        #expect(try await response.json() == ["error": "invalid token: expired"])
        #expect(response.headers["WWW-Authenticate"] != nil)
        #expect(refusal.description == "JWT refused (expired): exp 1 is 5 s or more before now 7")
        for code in [JWTError.Code.jwksUnavailable, .invalidKeySet] {
            let unavailable = JWTError(code, "GET https://x answered 500")
            #expect(unavailable.status == 503)
            #expect(unavailable.headers["WWW-Authenticate"] == nil)
            #expect(!unavailable.message.contains("https://x"))
        }
        // The client's message never repeats the token's contents; the detail quotes and cuts them.
        let keys = try TestKeys.make()
        let long = String(repeating: "k", count: 500) + "\n"
        let token = try TestToken.signed(key: keys.rsa, kid: long)
        let error = try #require(await jwtError { try await Self.verifier(keys).verify(token) })
        #expect(error.code == .unknownKeyID)
        #expect(!error.message.contains("kkk"))
        #expect(error.detail.contains(String(repeating: "k", count: 80) + "…"))
        #expect(!error.detail.contains(String(repeating: "k", count: 81)))
        #expect(!error.detail.contains("\n"))
    }

    @Test("RFC 7515 A.2 (RS256) and A.3 (ES256): the signatures verify, their altered forms do not")
    func rfc7515() throws {
        for vector in try RFC7515Vector.all() {
            let keySet = JSONWebKeySet(keys: [vector.key])
            let verifier = JWTVerifier(
                configuration: .init(issuer: "joe", algorithms: Self.allAlgorithms), keys: keySet, clock: jwtTestClock())
            let before = Date(timeIntervalSince1970: 1_300_819_370)
            let result = JWKSResult(keySet: keySet, source: .fixed)
            let token = try JSONWebToken(compact: vector.compact)
            // The payload has no sub, so the one refusal left once the signature holds is that claim.
            #expect(throws: JWTError(.missingClaim, "the token has no sub")) {
                try verifier.verify(token, algorithm: vector.algorithm, keyID: "rfc", result: result, now: before)
            }
            #expect(throws: JWTError(.expired, "exp 1300819380 is 5 s or more before now 1300819385")) {
                try verifier.verify(token, algorithm: vector.algorithm, keyID: "rfc", result: result, now: before.addingTimeInterval(15))
            }
            #expect(!vector.negatives.isEmpty)
            for negative in vector.negatives {
                let altered = try JSONWebToken(compact: negative)
                do {
                    _ = try verifier.verify(altered, algorithm: vector.algorithm, keyID: "rfc", result: result, now: before)
                    Issue.record("an altered RFC 7515 token was accepted")
                } catch {
                    #expect(error.code == .invalidSignature)
                }
            }
        }
    }

}

/// RFC 7515 appendices A.2 and A.3 from `Vendor/crypto-vectors/crypto-vectors.json`, their keys
/// given the `kid` `rfc` (the RFC's headers have none).
struct RFC7515Vector {
    let algorithm: JWSAlgorithm
    let key: JSONWebKey
    let compact: String
    let negatives: [String]

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func all() throws -> [RFC7515Vector] {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vendor/crypto-vectors/crypto-vectors.json")
        let root = try JSONParser.parse(Array(try Data(contentsOf: file)))
        guard let cases = root["jws_rfc7515"]?["cases"]?.arrayValue, cases.count == 2 else {
            throw Missing(description: "no RFC 7515 cases in \(file.path)")
        }
        return try cases.map { item in
            guard let alg = item["alg"]?.stringValue.flatMap({ JWSAlgorithm(rawValue: $0) }), var jwk = item["jwk_public"]?.objectValue,
                let compact = item["compact"]?.stringValue, let negatives = item["negative"]?.arrayValue
            else { throw Missing(description: "an RFC 7515 case is incomplete") }
            jwk["kid"] = "rfc"
            return RFC7515Vector(
                algorithm: alg, key: try JSONWebKey(.object(jwk)), compact: compact, negatives: negatives.compactMap { $0["compact"]?.stringValue })
        }
    }
}
