import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

/// The claim checks of step 5, on claims alone (the signed path is in `JWTVerifierTests`): the
/// time claims at their exact boundaries on a manual clock, then `iss`, `aud`, `azp`, `sub`.
@Suite("JWT claim checks")
struct JWTClaimsCheckTests {
    /// The code `checkClaims` refuses `claims` with at `offset` seconds after the start, or nil.
    static func check(
        _ changes: [String: JSONValue?], at offset: Double = 0, _ configuration: JWTVerifier.Configuration = .init(issuer: testIssuer)
    ) throws -> JWTError.Code? {
        let clock = jwtTestClock()
        clock.set(Date(timeIntervalSince1970: jwtTestStart + offset))
        let verifier = JWTVerifier(configuration: configuration, keys: JSONWebKeySet(keys: []), clock: clock)
        do {
            try verifier.checkClaims(try JWTClaims(TestKeys.claims(changes)), now: clock.now())
            return nil
        } catch {
            return error.code
        }
    }

    static let start = Int64(jwtTestStart)

    @Test("exp: expired at exactly exp + skew, valid a millisecond before (default skew 5 s)")
    func expiration() throws {
        let exp: [String: JSONValue?] = ["exp": .integer(Self.start + 60)]
        #expect(try Self.check(exp, at: 64.999) == nil)
        #expect(try Self.check(exp, at: 65) == .expired)
        #expect(try Self.check(exp, at: 3600) == .expired)
        #expect(try Self.check(["exp": nil]) == .missingClaim)
    }

    @Test("exp with a fraction of a second")
    func fractionalExpiration() throws {
        let exp: [String: JSONValue?] = ["exp": .double(jwtTestStart + 60.5)]
        #expect(try Self.check(exp, at: 65.499) == nil)
        #expect(try Self.check(exp, at: 65.5) == .expired)
    }

    @Test("nbf: valid at exactly nbf - skew, not yet a millisecond earlier")
    func notBefore() throws {
        let nbf: [String: JSONValue?] = ["nbf": .integer(Self.start + 100), "iat": nil, "exp": .integer(Self.start + 1000)]
        #expect(try Self.check(nbf, at: 95) == nil)
        #expect(try Self.check(nbf, at: 94.999) == .notYetValid)
        #expect(try Self.check(nbf, at: 0) == .notYetValid)
    }

    @Test("iat: valid at exactly iat - skew, in the future a millisecond earlier")
    func issuedAt() throws {
        let iat: [String: JSONValue?] = ["iat": .integer(Self.start + 100), "nbf": nil, "exp": .integer(Self.start + 1000)]
        #expect(try Self.check(iat, at: 95) == nil)
        #expect(try Self.check(iat, at: 94.999) == .issuedInFuture)
        // Absent nbf and iat are not required.
        #expect(try Self.check(["iat": nil, "nbf": nil]) == nil)
    }

    @Test("a configurable skew: none, and 30 s")
    func skew() throws {
        let exp: [String: JSONValue?] = ["exp": .integer(Self.start + 60)]
        let none = JWTVerifier.Configuration(issuer: testIssuer, clockSkew: .zero)
        #expect(try Self.check(exp, at: 59.999, none) == nil)
        #expect(try Self.check(exp, at: 60, none) == .expired)
        let wide = JWTVerifier.Configuration(issuer: testIssuer, clockSkew: .seconds(30))
        #expect(try Self.check(exp, at: 89.999, wide) == nil)
        #expect(try Self.check(exp, at: 90, wide) == .expired)
        let nbf: [String: JSONValue?] = ["nbf": .integer(Self.start + 30), "iat": nil]
        #expect(try Self.check(nbf, at: 0, wide) == nil)
        #expect(try Self.check(nbf, at: -0.001, wide) == .notYetValid)
    }

    @Test("the time claims come first: an expired token from another issuer is reported expired")
    func order() throws {
        #expect(try Self.check(["iss": "https://evil.example"], at: 3600) == .expired)
        #expect(try Self.check(["iss": "https://evil.example", "sub": nil]) == .invalidIssuer)
    }

    @Test("iss: exact, one of a list; absent or other refused")
    func issuer() throws {
        #expect(try Self.check([:]) == nil)
        #expect(try Self.check(["iss": "https://clerk.example.com/"]) == .invalidIssuer)
        #expect(try Self.check(["iss": "HTTPS://CLERK.EXAMPLE.COM"]) == .invalidIssuer)
        #expect(try Self.check(["iss": nil]) == .invalidIssuer)
        let two = JWTVerifier.Configuration(issuers: ["https://a.example", testIssuer])
        #expect(try Self.check([:], two) == nil)
        #expect(try Self.check(["iss": "https://a.example"], two) == nil)
        #expect(try Self.check([:], JWTVerifier.Configuration(issuers: [])) == .invalidIssuer)
    }

    @Test("aud: ignored unless configured; then required, a string or an array naming one")
    func audience() throws {
        #expect(try Self.check(["aud": "anything"]) == nil)
        let api = JWTVerifier.Configuration(issuer: testIssuer, audiences: ["api", "admin"])
        #expect(try Self.check(["aud": "api"], api) == nil)
        #expect(try Self.check(["aud": ["other", "admin"]], api) == nil)
        #expect(try Self.check(["aud": ["other"]], api) == .invalidAudience)
        #expect(try Self.check(["aud": "API"], api) == .invalidAudience)
        #expect(try Self.check(["aud": []], api) == .invalidAudience)
        #expect(try Self.check([:], api) == .invalidAudience)
    }

    @Test("azp: ignored unless configured; then one of the parties, and required unless told otherwise")
    func authorizedParty() throws {
        #expect(try Self.check(["azp": "https://evil.example"]) == nil)
        let parties = JWTVerifier.Configuration(issuer: testIssuer, authorizedParties: ["https://app.example.com"])
        #expect(try Self.check([:], parties) == nil)
        #expect(try Self.check(["azp": "https://evil.example"], parties) == .invalidAuthorizedParty)
        #expect(try Self.check(["azp": nil], parties) == .invalidAuthorizedParty)
        let lenient = JWTVerifier.Configuration(
            issuer: testIssuer, authorizedParties: ["https://app.example.com"], requiresAuthorizedParty: false)
        #expect(try Self.check(["azp": nil], lenient) == nil)
        #expect(try Self.check(["azp": "https://evil.example"], lenient) == .invalidAuthorizedParty)
    }

    @Test("sub is required")
    func subject() throws {
        #expect(try Self.check(["sub": nil]) == .missingClaim)
        #expect(try Self.check(["sub": ""]) == nil)
    }
}
