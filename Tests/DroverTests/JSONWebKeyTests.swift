import Testing

@testable import Drover

/// JWK parsing and verification against RFC 7515 appendices A.2 (RS256) and A.3 (ES256), from
/// `Vendor/crypto-vectors`, and every refusal of a malformed key.
@Suite("JSONWebKey")
struct JSONWebKeyTests {
    @Test("RFC 7515 A.2 and A.3 verify, and their negatives do not", arguments: try CryptoVectors.jwsCases())
    func rfc7515(testCase: CryptoVectors.JWSCase) throws {
        let key = try JSONWebKey(testCase.jwk)
        let token = testCase.token
        #expect(key.verify(signature: token.signature, message: token.signingInput.utf8, algorithm: testCase.algorithm))
        #expect(!testCase.negatives.isEmpty)
        for negative in testCase.negatives {
            #expect(!key.verify(signature: negative.signature, message: negative.signingInput.utf8, algorithm: testCase.algorithm), "\(negative.id)")
        }
        // A flipped bit anywhere in the signature or the signed input.
        for index in [0, token.signature.count / 2, token.signature.count - 1] {
            var signature = token.signature
            signature[index] ^= 0x80
            #expect(!key.verify(signature: signature, message: token.signingInput.utf8, algorithm: testCase.algorithm))
        }
        var message = Array(token.signingInput.utf8)
        message[message.count - 1] ^= 0x01
        #expect(!key.verify(signature: token.signature, message: message, algorithm: testCase.algorithm))
        // Truncated or extended signatures, and the other algorithms.
        #expect(!key.verify(signature: token.signature.dropLast(), message: token.signingInput.utf8, algorithm: testCase.algorithm))
        #expect(!key.verify(signature: token.signature + [0], message: token.signingInput.utf8, algorithm: testCase.algorithm))
        #expect(!key.verify(signature: [0] + token.signature, message: token.signingInput.utf8, algorithm: testCase.algorithm))
        for other in JWSAlgorithm.allCases where other != testCase.algorithm {
            #expect(!key.verify(signature: token.signature, message: token.signingInput.utf8, algorithm: other))
        }
    }

    @Test("a JWK parses from text and bytes, with its members")
    func parsesMembers() throws {
        let text = #"""
            {"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"key-1","key_ops":["verify"],"x5t":"ignored",
             "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
            """#
        let key = try JSONWebKey(parsing: text)
        #expect(key == (try JSONWebKey(parsing: Array(text.utf8))))
        #expect(key.kty == "EC")
        #expect(key.alg == .es256)
        #expect(key.use == "sig")
        #expect(key.kid == "key-1")
        #expect(key.description == "EC P-256 key alg=ES256 use=sig kid=key-1")
        guard case .p256(let x, let y) = key.parameters else {
            Issue.record("not a P-256 key")
            return
        }
        #expect(x.count == 32 && y.count == 32)
        #expect(Base64URL.encode(x) == "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU")

        let rsa = try JSONWebKey(CryptoVectors.jwk("rfc7515-A.2"))
        #expect(rsa.kty == "RSA" && rsa.alg == nil && rsa.use == nil && rsa.kid == nil)
        #expect(rsa.description == "RSA 2048-bit key")
        guard case .rsa(let n, let e) = rsa.parameters else {
            Issue.record("not an RSA key")
            return
        }
        #expect(n.count == 256 && e == [1, 0, 1])
    }

    @Test("leading zero bytes of n and e are tolerated and dropped; the exponent range is 3 to 2^33 - 1")
    func rsaLenience() throws {
        let a2 = try Self.a2Modulus()
        let key = try JSONWebKey(Self.rsa(n: [0, 0] + a2, e: [0, 1, 0, 1]))
        #expect(key.parameters == .rsa(n: a2, e: [1, 0, 1]))
        #expect(key == (try JSONWebKey(CryptoVectors.jwk("rfc7515-A.2"))))
        _ = try JSONWebKey(Self.rsa(n: a2, e: [3]))
        _ = try JSONWebKey(Self.rsa(n: a2, e: [0x01, 0xFF, 0xFF, 0xFF, 0xFF]))
        // Moduli of exactly 2048 and 16384 bits.
        _ = try JSONWebKey(Self.rsa(n: Self.modulus(bits: 2048), e: [1, 0, 1]))
        _ = try JSONWebKey(Self.rsa(n: Self.modulus(bits: 16384), e: [1, 0, 1]))
    }

    /// Keys refused, each with the error that names the fault.
    static func refusals() throws -> [(String, JSONValue, JSONWebKeyError)] {
        let a2 = try a2Modulus()
        let x = try #require(Base64URL.decode("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"))
        let y = try #require(Base64URL.decode("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"))
        var offCurveY = y
        offCurveY[31] ^= 0x01
        var evenModulus = a2
        evenModulus[255] &= 0xFE
        let rsaJWK = rsa(n: a2, e: [1, 0, 1])
        return [
            ("an array", [], .notAnObject),
            ("a string", "RSA", .notAnObject),
            ("no kty", [:], .missingMember("kty")),
            ("kty not a string", ["kty": 1], .notAString(member: "kty")),
            ("kty oct (a symmetric key)", ["kty": "oct", "k": "c2VjcmV0"], .unsupportedKeyType("oct")),
            ("kty OKP (Ed25519)", ["kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"], .unsupportedKeyType("OKP")),
            ("kty in lower case", ["kty": "rsa", "n": "AQAB", "e": "AQAB"], .unsupportedKeyType("rsa")),
            ("RSA private key (d)", merged(rsaJWK, ["d": "AQAB"]), .privateKey(member: "d")),
            ("RSA private key (p)", merged(rsaJWK, ["p": "AQAB"]), .privateKey(member: "p")),
            ("EC private key (d)", ec(x: x, y: y, extra: ["d": "AQAB"]), .privateKey(member: "d")),
            ("use enc", merged(rsaJWK, ["use": "enc"]), .notForSignatures(use: "enc")),
            ("use not a string", merged(rsaJWK, ["use": true]), .notAString(member: "use")),
            ("alg HS256", merged(rsaJWK, ["alg": "HS256"]), .unsupportedAlgorithm("HS256")),
            ("alg none", merged(rsaJWK, ["alg": "none"]), .unsupportedAlgorithm("none")),
            ("alg RS384", merged(rsaJWK, ["alg": "RS384"]), .unsupportedAlgorithm("RS384")),
            ("alg ES256 on an RSA key", merged(rsaJWK, ["alg": "ES256"]), .algorithmMismatch(alg: "ES256", kty: "RSA")),
            ("alg RS256 on an EC key", ec(x: x, y: y, extra: ["alg": "RS256"]), .algorithmMismatch(alg: "RS256", kty: "EC")),
            ("kid not a string", merged(rsaJWK, ["kid": 7]), .notAString(member: "kid")),
            ("RSA without n", ["kty": "RSA", "e": "AQAB"], .missingMember("n")),
            ("RSA without e", ["kty": "RSA", "n": .string(Base64URL.encode(a2))], .missingMember("e")),
            ("n not a string", ["kty": "RSA", "n": 5, "e": "AQAB"], .notAString(member: "n")),
            ("n in base64 with + and /", ["kty": "RSA", "n": "ab+/", "e": "AQAB"], .invalidBase64URL(member: "n")),
            ("n with whitespace", ["kty": "RSA", "n": "AQAB AQAB", "e": "AQAB"], .invalidBase64URL(member: "n")),
            ("e with bits set after its last byte", ["kty": "RSA", "n": .string(Base64URL.encode(a2)), "e": "AR"], .invalidBase64URL(member: "e")),
            ("n empty", ["kty": "RSA", "n": "", "e": "AQAB"], .invalidValue(member: "n", reason: "empty")),
            ("n zero", ["kty": "RSA", "n": "AAAA", "e": "AQAB"], .invalidValue(member: "n", reason: "zero")),
            ("e empty", ["kty": "RSA", "n": .string(Base64URL.encode(a2)), "e": ""], .invalidValue(member: "e", reason: "empty")),
            ("n of 1024 bits", rsa(n: modulus(bits: 1024), e: [1, 0, 1]), .rsaModulusTooSmall(bits: 1024)),
            ("n of 2047 bits", rsa(n: modulus(bits: 2047), e: [1, 0, 1]), .rsaModulusTooSmall(bits: 2047)),
            ("n of 8 bits", rsa(n: [0xFF], e: [1, 0, 1]), .rsaModulusTooSmall(bits: 8)),
            ("n of 16385 bits", rsa(n: modulus(bits: 16385), e: [1, 0, 1]), .rsaModulusTooLarge(bits: 16385)),
            ("n even", rsa(n: evenModulus, e: [1, 0, 1]), .invalidValue(member: "n", reason: "even, and an RSA modulus is odd")),
            ("e = 1", rsa(n: a2, e: [1]), .invalidValue(member: "e", reason: exponentRule)),
            ("e = 65536 (even)", rsa(n: a2, e: [1, 0, 0]), .invalidValue(member: "e", reason: exponentRule)),
            ("e = 2", rsa(n: a2, e: [2]), .invalidValue(member: "e", reason: exponentRule)),
            ("e of 34 bits", rsa(n: a2, e: [0x02, 0, 0, 0, 1]), .invalidValue(member: "e", reason: exponentRule)),
            ("e as long as n", rsa(n: a2, e: a2), .invalidValue(member: "e", reason: exponentRule)),
            ("EC without crv", ["kty": "EC", "x": .string(Base64URL.encode(x)), "y": .string(Base64URL.encode(y))], .missingMember("crv")),
            ("crv P-384", ec(x: x, y: y, extra: ["crv": "P-384"]), .unsupportedCurve("P-384")),
            ("crv secp256k1", ec(x: x, y: y, extra: ["crv": "secp256k1"]), .unsupportedCurve("secp256k1")),
            ("EC without y", ["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(x))], .missingMember("y")),
            ("x of 31 bytes", ec(x: Array(x.dropFirst()), y: y), .invalidValue(member: "x", reason: "31 bytes; P-256 coordinates are 32 bytes")),
            ("y of 33 bytes", ec(x: x, y: [0] + y), .invalidValue(member: "y", reason: "33 bytes; P-256 coordinates are 32 bytes")),
            ("x empty", ec(x: [], y: y), .invalidValue(member: "x", reason: "0 bytes; P-256 coordinates are 32 bytes")),
            ("y not base64url", ["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(x)), "y": "%%"], .invalidBase64URL(member: "y")),
            ("a point off the curve", ec(x: x, y: offCurveY), .pointNotOnCurve),
            ("the point (0, 0)", ec(x: [UInt8](repeating: 0, count: 32), y: [UInt8](repeating: 0, count: 32)), .pointNotOnCurve),
            (
                "coordinates above the field prime", ec(x: [UInt8](repeating: 0xFF, count: 32), y: [UInt8](repeating: 0xFF, count: 32)),
                .pointNotOnCurve
            ),
        ]
    }

    @Test("malformed JWKs are refused, each with its error", arguments: try refusals())
    func refusal(name: String, json: JSONValue, expected: JSONWebKeyError) {
        #expect(throws: expected, "\(name)") { try JSONWebKey(json) }
    }

    @Test("text that is not JSON is refused")
    func notJSON() {
        for text in ["", "{", "{\"kty\":\"RSA\",}", "\u{FF}"] {
            #expect {
                try JSONWebKey(parsing: text)
            } throws: { error in
                guard case .invalidJSON = error as? JSONWebKeyError else { return false }
                return true
            }
        }
        #expect(throws: JSONWebKeyError.self) { try JSONWebKey(parsing: [0xFF, 0xFE]) }
    }

    @Test("refusals explain themselves")
    func descriptions() {
        #expect(
            JSONWebKeyError.rsaModulusTooSmall(bits: 1024).description == "JWK RSA modulus has 1024 bits; RS256 and PS256 keys need at least 2048"
        )
        #expect(JSONWebKeyError.pointNotOnCurve.description == "JWK x and y are not a point on P-256")
        #expect("\(JSONWebKeyError.privateKey(member: "d"))".contains("private member \"d\""))
    }

    @Test("alg restricts a key to one algorithm; kty to its family")
    func canVerify() throws {
        let vector = try #require(try CryptoVectors.jwsCases().first { $0.id == "rfc7515-A.2" })
        let any = try JSONWebKey(vector.jwk)
        #expect(any.canVerify(.rs256) && any.canVerify(.ps256) && !any.canVerify(.es256))
        let pssOnly = try JSONWebKey(Self.merged(vector.jwk, ["alg": "PS256"]))
        #expect(!pssOnly.canVerify(.rs256) && pssOnly.canVerify(.ps256))
        #expect(!pssOnly.verify(signature: vector.token.signature, message: vector.token.signingInput.utf8, algorithm: .rs256))
        let rsOnly = try JSONWebKey(Self.merged(vector.jwk, ["alg": "RS256", "use": "sig"]))
        #expect(rsOnly.verify(signature: vector.token.signature, message: vector.token.signingInput.utf8, algorithm: .rs256))
        let ec = try JSONWebKey(CryptoVectors.jwk("rfc7515-A.3"))
        #expect(ec.canVerify(.es256) && !ec.canVerify(.rs256) && !ec.canVerify(.ps256))
    }

    @Test("an RSA signature one byte short of the modulus is refused, though libcrypto's PSS check accepts it")
    func rsaSignatureLength() throws {
        // A 2048-bit key and a PS256 signature of "hello\n" whose first byte is 0, made with
        // `openssl dgst -sha256 -sign -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32`
        // (signing until the first byte was 0; the private key was then thrown away).
        // `openssl dgst -verify` accepts the signature without its leading 0; RFC 8017 §8.1.2 does not.
        let key = try JSONWebKey([
            "kty": "RSA", "e": "AQAB",
            "n": """
            oLdRLdCzBFtMwtUEtQpCBbtqsmStlNr0W7F8Yc5ZLb4NlT4Syy6-EHeKs4nGlVlH-rp5mvkeNksaOwJkik2P73DCDZAkeB76-rrAL_fOs12mDja1OlzMFYT-WqWE1izQc\
            bYd7VOlcMkobwdDs2OYKG6AhXbghjlxC6y079ZeVABAYaDm3CgUtq40LcbR4Ubb_2V0fGhFJW2Ltn56ft8ImBDD7dg49IygUMSXvmOZdgYX5ki4TO00zJhAuXD_9Yb5\
            gVRKjRHLc2UfrGDOdj1tBL5S--L0kil1qITUawgUZlz7g9A-AVjI6-KrFsw1LcaKp6kKFlz7-BPjrnX4rtgt2w
            """,
        ])
        let signature = try #require(
            Base64URL.decode(
                """
                AArkYUiZQ7k6jfYwmslrD9G1dymHpPUPSpzjdkLM5GApdi1PG5zK3sqG6YxXFr0NWStXNj0MtUhl-Vb6psPM16Wzjt3lxvqaXTlZUKnlEpAr5av_-D8aVP7qnOUlRgKn4u\
                U155dHBQugLGiSzBLbBVfLY_4ky45nWwyXvvPwnFzl9pIvIbJzl_vUaM1s9Xo55IZ-Bk1H1Lso4KuSnzs1aL0Pm3CNYJGclXs6paVDH7VsYXST6HpaOIc4qzWQpUScYyDdX\
                4nhrbnqVd0G_Ktwe8VJ2qCOg-nOYh1zq0VvAvSthmldMJ2itybRle4ucWu3QZzjr6O1wgWtdNTBfpBvSQ
                """
            )
        )
        let message = Array("hello\n".utf8)
        #expect(signature.count == 256 && signature[0] == 0)
        #expect(key.verify(signature: signature, message: message, algorithm: .ps256))
        #expect(!key.verify(signature: signature.dropFirst(), message: message, algorithm: .ps256))
        #expect(!key.verify(signature: [0] + signature, message: message, algorithm: .ps256))
    }

    @Test("JWSAlgorithm reads a header's alg")
    func algorithmNames() {
        #expect(JWSAlgorithm(rawValue: "RS256") == .rs256)
        #expect(JWSAlgorithm(rawValue: "PS256") == .ps256)
        #expect(JWSAlgorithm(rawValue: "ES256") == .es256)
        #expect(JWSAlgorithm(rawValue: "none") == nil)
        #expect(JWSAlgorithm(rawValue: "HS256") == nil)
        #expect(JWSAlgorithm(rawValue: "rs256") == nil)
    }

    // MARK: - Building keys

    static let exponentRule = "the exponent must be odd, from 3 to 2^33 - 1"

    /// The modulus of RFC 7515 A.2's key.
    static func a2Modulus() throws -> [UInt8] {
        let jwk = try CryptoVectors.jwk("rfc7515-A.2")
        return try #require(Base64URL.decode(jwk["n"]?.stringValue ?? ""))
    }

    /// An odd number of exactly `bits` bits (not a real modulus: parsing does not factor).
    static func modulus(bits: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xA5, count: (bits + 7) / 8)
        let topBits = bits - (bytes.count - 1) * 8
        bytes[0] = UInt8((1 << topBits) - 1) & 0xC5 | UInt8(1 << (topBits - 1))
        bytes[bytes.count - 1] |= 1
        return bytes
    }

    static func rsa(n: [UInt8], e: [UInt8]) -> JSONValue {
        ["kty": "RSA", "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))]
    }

    static func ec(x: [UInt8], y: [UInt8], extra: JSONObject = [:]) -> JSONValue {
        merged(["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(x)), "y": .string(Base64URL.encode(y))], extra)
    }

    /// `json` with the members of `extra` added or replaced.
    static func merged(_ json: JSONValue, _ extra: JSONObject) -> JSONValue {
        var pairs = json.objectValue?.pairs.map { ($0.key, $0.value) } ?? []
        for (key, value) in extra.pairs {
            pairs.removeAll { $0.0 == key }
            pairs.append((key, value))
        }
        return .object(JSONObject(pairs))
    }
}
