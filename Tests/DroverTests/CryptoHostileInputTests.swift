import DroverTestSupport
import Testing

@testable import Drover

/// JWKs and signatures come from webhooks and JWTs, so from anyone: random bytes where keys and
/// signatures go must be refused or fail to verify, never crash. (`Fuzz/JWKFuzzer.swift` runs the
/// same under libFuzzer and AddressSanitizer.)
@Suite("Crypto hostile input")
struct CryptoHostileInputTests {
    @Test("random bytes as JWK text are refused or parse, never crash")
    func randomJWKText() {
        var random = SplitMix64(seed: 1)
        let fragments = [
            #"{"kty":"RSA","#, #"{"kty":"EC","crv":"P-256","#, #""n":""#, #""e":"AQAB""#, #""x":""#, #""y":""#, "\"", ",", "}", "[",
            "AQAB", "____", "null", "1e999", "\u{0}",
        ]
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &random) {
                if Bool.random(using: &random) {
                    bytes += Array(fragments.randomElement(using: &random)!.utf8)
                } else {
                    bytes += random.bytes(Int.random(in: 0...40, using: &random))
                }
            }
            _ = try? JSONWebKey(parsing: bytes)
        }
    }

    @Test("random key numbers are refused or verify nothing")
    func randomKeyNumbers() {
        var random = SplitMix64(seed: 2)
        let message = Array("header.payload".utf8)
        for round in 0..<300 {
            var n = random.bytes(Int.random(in: 0...600, using: &random))
            if round % 2 == 0, !n.isEmpty {  // half of them pass the size and parity checks
                n[0] |= 0x80
                n[n.count - 1] |= 1
            }
            let e = random.bytes(Int.random(in: 0...6, using: &random))
            let rsaJSON: JSONValue = ["kty": "RSA", "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))]
            if let key = try? JSONWebKey(rsaJSON) {
                for algorithm in JWSAlgorithm.allCases {
                    let signature = random.bytes(Bool.random(using: &random) ? n.count : Int.random(in: 0...600, using: &random))
                    #expect(!key.verify(signature: signature, message: message, algorithm: algorithm))
                }
            }
            let ecJSON: JSONValue = [
                "kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(random.bytes(32))),
                "y": .string(Base64URL.encode(random.bytes(Int.random(in: 31...33, using: &random)))),
            ]
            #expect(throws: JSONWebKeyError.self) { try JSONWebKey(ecJSON) }
        }
    }

    @Test("random and extreme signatures never verify under real keys")
    func randomSignatures() throws {
        var random = SplitMix64(seed: 3)
        let rsa = try JSONWebKey(CryptoVectors.jwk("rfc7515-A.2"))
        let ec = try JSONWebKey(CryptoVectors.jwk("rfc7515-A.3"))
        let message = Array("eyJhbGciOiJSUzI1NiJ9.e30".utf8)
        // P-256's group order n: r and s must lie in [1, n - 1].
        let order = try #require(CryptoVectors.bytes(hex: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))
        let extremes: [[UInt8]] = [
            [UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xFF, count: 64), order + order, order + [UInt8](repeating: 0, count: 32),
            [UInt8](repeating: 0, count: 31) + [1] + [UInt8](repeating: 0, count: 31) + [1], [UInt8](repeating: 0, count: 256),
            [UInt8](repeating: 0xFF, count: 256), [0] + [UInt8](repeating: 0xFF, count: 255), [],
        ]
        for signature in extremes {
            for algorithm in JWSAlgorithm.allCases {
                #expect(!rsa.verify(signature: signature, message: message, algorithm: algorithm))
                #expect(!ec.verify(signature: signature, message: message, algorithm: algorithm))
            }
        }
        for _ in 0..<500 {
            let length = [0, 1, 63, 64, 65, 72, 255, 256, 257, 512].randomElement(using: &random)!
            let signature = random.bytes(length)
            for algorithm in JWSAlgorithm.allCases {
                #expect(!rsa.verify(signature: signature, message: message, algorithm: algorithm))
                #expect(!ec.verify(signature: signature, message: message, algorithm: algorithm))
            }
        }
    }
}
