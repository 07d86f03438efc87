import DroverTestSupport
import Testing

@testable import Drover

/// Keys generated and messages signed at run time by the `openssl` command line, an independent
/// signer: its public keys are exported as DER and turned into JWKs, its ECDSA signatures from DER
/// into JOSE's `r || s`. Without `openssl` these tests fail, saying so.
@Suite("JSONWebKey with openssl keys")
struct JSONWebKeyOpenSSLTests {
    /// Messages of several sizes, the empty one included.
    static func messages() -> [[UInt8]] {
        [[], Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0".utf8), Crypto.randomBytes(count: 1000), Crypto.randomBytes(count: 100_000)]
    }

    @Test("RS256 signatures by openssl verify; altered ones do not", arguments: [2048, 3072])
    func rs256(bits: Int) throws {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let keyPair = try openssl.rsaKey(bits: bits)
        let key = try JSONWebKey(keyPair.jwk)
        guard case .rsa(let n, let e) = key.parameters else { throw OpenSSLCommand.Failure(description: "not RSA") }
        #expect(n.count * 8 == bits && e == [1, 0, 1])
        for message in Self.messages() {
            let signature = try openssl.sign(message, with: keyPair)
            #expect(signature.count == bits / 8)
            #expect(key.verify(signature: signature, message: message, algorithm: .rs256))
            #expect(!key.verify(signature: signature, message: message + [0], algorithm: .rs256))
            #expect(!key.verify(signature: signature, message: message, algorithm: .ps256))
            var flipped = signature
            flipped[flipped.count / 3] ^= 0x04
            #expect(!key.verify(signature: flipped, message: message, algorithm: .rs256))
        }
    }

    @Test("PS256 verifies MGF1-SHA256 with a 32-byte salt, and no other salt or padding")
    func ps256() throws {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let keyPair = try openssl.rsaKey(bits: 2048)
        let key = try JSONWebKey(keyPair.jwk)
        let pss = ["rsa_padding_mode:pss", "rsa_mgf1_md:sha256"]
        for message in Self.messages() {
            let signature = try openssl.sign(message, with: keyPair, options: pss + ["rsa_pss_saltlen:32"])
            #expect(key.verify(signature: signature, message: message, algorithm: .ps256))
            #expect(!key.verify(signature: signature, message: message, algorithm: .rs256))
            #expect(!key.verify(signature: signature, message: message + [1], algorithm: .ps256))
            var flipped = signature
            flipped[0] ^= 0x01
            #expect(!key.verify(signature: flipped, message: message, algorithm: .ps256))
        }
        let message = Array("salt".utf8)
        for salt in ["0", "20", "64", "max"] {
            let signature = try openssl.sign(message, with: keyPair, options: pss + ["rsa_pss_saltlen:\(salt)"])
            #expect(!key.verify(signature: signature, message: message, algorithm: .ps256), "salt length \(salt)")
        }
        let mgf1SHA1 = try openssl.sign(message, with: keyPair, options: ["rsa_padding_mode:pss", "rsa_mgf1_md:sha1", "rsa_pss_saltlen:32"])
        #expect(!key.verify(signature: mgf1SHA1, message: message, algorithm: .ps256))
        let pkcs1 = try openssl.sign(message, with: keyPair)
        #expect(!key.verify(signature: pkcs1, message: message, algorithm: .ps256))
        #expect(key.verify(signature: pkcs1, message: message, algorithm: .rs256))
    }

    @Test("ES256 signatures by openssl verify as r || s; DER, altered and foreign ones do not")
    func es256() throws {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let keyPair = try openssl.ecKey()
        let key = try JSONWebKey(keyPair.jwk)
        let other = try JSONWebKey(try openssl.ecKey(name: "other").jwk)
        // Signatures are randomized, so 20 of them give r or s with a leading zero byte now and then.
        for index in 0..<20 {
            let message = index < 4 ? Self.messages()[index] : Crypto.randomBytes(count: index)
            let der = try openssl.sign(message, with: keyPair)
            let signature = try OpenSSLCommand.joseSignature(der: der)
            #expect(signature.count == 64)
            #expect(key.verify(signature: signature, message: message, algorithm: .es256))
            #expect(!other.verify(signature: signature, message: message, algorithm: .es256))
            #expect(!key.verify(signature: der, message: message, algorithm: .es256))
            #expect(!key.verify(signature: signature, message: message + [0], algorithm: .es256))
            var flipped = signature
            flipped[40] ^= 0x10
            #expect(!key.verify(signature: flipped, message: message, algorithm: .es256))
            // s swapped with r.
            #expect(!key.verify(signature: Array(signature[32...] + signature[..<32]), message: message, algorithm: .es256))
        }
    }

    @Test("a 1024-bit RSA key from openssl is refused with its size")
    func smallRSAKey() throws {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let keyPair = try openssl.rsaKey(bits: 1024)
        #expect(throws: JSONWebKeyError.rsaModulusTooSmall(bits: 1024)) { try JSONWebKey(keyPair.jwk) }
    }

    @Test("a P-384 key from openssl is refused as another curve, and as P-256 is not 32-byte coordinates")
    func p384Key() throws {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let keyPair = try openssl.ecKey(curve: "P-384")
        #expect(throws: JSONWebKeyError.unsupportedCurve("P-384")) { try JSONWebKey(keyPair.jwk) }
        let relabelled = JSONWebKeyTests.merged(keyPair.jwk, ["crv": "P-256"])
        #expect(throws: JSONWebKeyError.invalidValue(member: "x", reason: "48 bytes; P-256 coordinates are 32 bytes")) {
            try JSONWebKey(relabelled)
        }
    }
}
