import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

/// Taking a compact JWS apart: every malformed shape is its own refusal, and the registered header
/// members and claims come out typed.
@Suite("JWT parsing")
struct JSONWebTokenTests {
    static let header: JSONValue = ["alg": "RS256", "typ": "JWT", "kid": "k1"]
    static let signature = Base64URL.encode([1, 2, 3])

    static func compact(header: JSONValue = header, claims: JSONValue = TestKeys.claims()) -> String {
        TestToken.signingInput(header: header, claims: claims) + "." + signature
    }

    static func parse(_ compact: String) -> JWTError.Code? {
        do {
            _ = try JSONWebToken(compact: compact)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a well-formed token: header, claims, signing input and signature")
    func wellFormed() throws {
        let text = Self.compact(claims: TestKeys.claims(["aud": "api", "exp": 1_767_225_660.25]))
        let token = try JSONWebToken(compact: text)
        #expect(token.header.algorithm == "RS256")
        #expect(token.header.keyID == "k1")
        #expect(token.header.type == "JWT")
        #expect(token.claims.issuer == testIssuer)
        #expect(token.claims.subject == "user_1")
        #expect(token.claims.audience == ["api"])
        #expect(token.claims.authorizedParty == "https://app.example.com")
        #expect(token.claims.expirationTime == 1_767_225_660.25)
        #expect(token.claims.expiresAt == Date(timeIntervalSince1970: 1_767_225_660.25))
        #expect(token.claims.notBeforeTime == jwtTestStart - 10)
        #expect(token.claims.issuedAtTime == jwtTestStart - 10)
        #expect(token.claims["sid"] == "sess_1")
        #expect(token.signature == [1, 2, 3])
        let dot = try #require(text.lastIndex(of: "."))
        #expect(token.signingInput == Array(text[..<dot].utf8))
    }

    @Test("aud as an array of strings; absent claims are nil")
    func audienceArray() throws {
        let claims: JSONValue = ["aud": ["a", "b"], "exp": 1]
        let token = try JSONWebToken(compact: Self.compact(claims: claims))
        #expect(token.claims.audience == ["a", "b"])
        #expect(token.claims.issuer == nil && token.claims.subject == nil && token.claims.authorizedParty == nil)
        #expect(token.claims.notBeforeTime == nil && token.claims.issuedAtTime == nil)
    }

    @Test("a token over the limit is refused before it is decoded")
    func tooLarge() throws {
        let claims = TestKeys.claims(["pad": .string(String(repeating: "x", count: 20_000))])
        #expect(Self.parse(Self.compact(claims: claims)) == .tooLarge)
        let small = Self.compact()
        #expect(throws: JWTError.self) { try JSONWebToken(compact: small, maximumLength: small.utf8.count - 1) }
        #expect(try JSONWebToken(compact: small, maximumLength: small.utf8.count).header.keyID == "k1")
        // Not even split: a megabyte of dots is refused on its length alone.
        #expect(Self.parse(String(repeating: ".", count: 1 << 20)) == .tooLarge)
    }

    @Test("anything but three parts is malformed", arguments: ["", "abc", "a.b", "a.b.c.d", "...", "a.b.c.d.e.f"])
    func segments(_ text: String) {
        #expect(Self.parse(text) == .malformed)
    }

    @Test("parts that are not base64url without padding are refused")
    func base64url() {
        let good = Self.compact()
        let parts = good.split(separator: ".").map(String.init)
        let cases = [
            parts[0] + "=." + parts[1] + "." + parts[2],  // padding
            parts[0] + "." + parts[1] + "." + parts[2] + "=",  // padded signature
            "eyJ+" + parts[0] + "." + parts[1] + "." + parts[2],  // base64's alphabet
            parts[0] + "." + parts[1] + " ." + parts[2],  // whitespace
            parts[0] + "." + parts[1] + ".A",  // a lone final character
        ]
        for text in cases { #expect(Self.parse(text) == .invalidBase64URL, "\(text.prefix(60))") }
    }

    @Test("a dot or an = at any offset of a token, inside the eight-byte words the split scans or after them, is found")
    func everyOffset() throws {
        let good = Self.compact()
        let dots = good.indices.filter { good[$0] == "." }
        #expect(dots.count == 2)
        // Moving the token's content by 0 to 9 bytes puts its dots at every place in a word.
        for shift in 0..<10 {
            let padded = String(repeating: "A", count: shift * 4)
            let header = padded + good[..<dots[0]]  // still base64url, so the dots decide
            let token = header + good[dots[0]...]
            #expect(Self.parse(String(token)) != .malformed, "shift \(shift)")
            for extra in [".", "="] {
                for offset in stride(from: 0, to: token.count, by: 7) {
                    var bytes = Array(token.utf8)
                    bytes.insert(UInt8(ascii: extra == "." ? "." : "="), at: offset)
                    let expected: JWTError.Code = extra == "." ? .malformed : .invalidBase64URL
                    #expect(Self.parse(String(decoding: bytes, as: UTF8.self)) == expected, "\(extra) at \(offset), shift \(shift)")
                }
            }
        }
    }

    @Test("a header or payload that is not a JSON object is refused")
    func json() {
        let header = Base64URL.encode(JSONSerializer.bytes(Self.header))
        let payload = Base64URL.encode(JSONSerializer.bytes(TestKeys.claims()))
        for bad in ["", "{", "not json", "[1,2]", "\"text\"", "12"] {
            let encoded = Base64URL.encode(Array(bad.utf8))
            #expect(Self.parse("\(encoded).\(payload).\(Self.signature)") == .invalidJSON, "header \(bad)")
            #expect(Self.parse("\(header).\(encoded).\(Self.signature)") == .invalidJSON, "payload \(bad)")
        }
        // Bytes that are not UTF-8 are not JSON either.
        let binary = Base64URL.encode([0xFF, 0xFE, 0x7B])
        #expect(Self.parse("\(binary).\(payload).\(Self.signature)") == .invalidJSON)
    }

    @Test("header members of the wrong type, and crit, are refused")
    func headerMembers() {
        let headers: [JSONValue] = [
            ["typ": "JWT", "kid": "k1"], ["alg": 256, "kid": "k1"], ["alg": nil], ["alg": "RS256", "kid": 7],
            ["alg": "RS256", "kid": "k1", "typ": ["JWT"]], ["alg": "RS256", "kid": "k1", "crit": ["exp"]],
        ]
        for header in headers { #expect(Self.parse(Self.compact(header: header)) == .invalidHeader, "\(header)") }
    }

    @Test("registered claims of the wrong type are refused")
    func claimTypes() {
        let changes: [(String, JSONValue)] = [
            ("iss", 1), ("sub", ["user_1"]), ("azp", true), ("aud", 3), ("aud", ["a", 1]), ("exp", "1767225660"),
            ("nbf", nil), ("iat", ["x": 1]),
        ]
        for (name, value) in changes {
            #expect(Self.parse(Self.compact(claims: TestKeys.claims([name: value]))) == .invalidClaim, "\(name): \(value)")
        }
        // A number too large for a double is infinity once parsed: refused, never trusted as "never expires".
        let header = Base64URL.encode(JSONSerializer.bytes(Self.header))
        let payload = Base64URL.encode(Array(#"{"sub":"u","exp":1e400}"#.utf8))
        #expect(Self.parse("\(header).\(payload).\(Self.signature)") == .invalidClaim)
    }

    @Test("an empty signature parses (alg none), to be refused by the verifier")
    func emptySignature() throws {
        let text = TestToken.signingInput(header: ["alg": "none"], claims: TestKeys.claims()) + "."
        let token = try JSONWebToken(compact: text)
        #expect(token.signature.isEmpty)
        #expect(token.header.algorithm == "none")
    }
}
