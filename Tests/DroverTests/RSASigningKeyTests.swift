import DroverTestSupport
import Foundation
import Testing

@testable import Drover

@Suite("RSASigningKey: RS256 signing on libcrypto")
struct RSASigningKeyTests {
    @Test("a new key's signature verifies under its public JWK, and nothing else does")
    func signAndVerify() throws {
        let key = try RSASigningKey.generate()
        let jwk = try JSONWebKey(key.publicJWK(keyID: "k1"))
        #expect(jwk.kid == "k1")
        let message = Array("header.payload".utf8)
        let signature = key.signRS256(message)
        #expect(signature.count == 256)
        #expect(jwk.verify(signature: signature, message: message, algorithm: .rs256))
        #expect(!jwk.verify(signature: signature, message: Array("header.payloaD".utf8), algorithm: .rs256))
        var flipped = signature
        flipped[10] ^= 1
        #expect(!jwk.verify(signature: flipped, message: message, algorithm: .rs256))
        let other = try JSONWebKey(try RSASigningKey.generate().publicJWK())
        #expect(!other.verify(signature: signature, message: message, algorithm: .rs256))
    }

    @Test("PEM round trip keeps the key; the value never prints it; bad PEM and sizes are refused")
    func pem() throws {
        let key = try RSASigningKey.generate(bits: 3072)
        let pem = key.pem
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let again = try RSASigningKey(pem: pem)
        #expect(again.publicJWK() == key.publicJWK())
        #expect("\(key)" == "RSASigningKey(3072 bits)")
        #expect(!"\(key)".contains("PRIVATE"))
        #expect(throws: JSONWebKeyError.self) { try RSASigningKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: JSONWebKeyError.self) { try RSASigningKey(pem: "") }
        #expect(throws: JSONWebKeyError.self) { try RSASigningKey.generate(bits: 1024) }
        #expect(throws: JSONWebKeyError.self) { try RSASigningKey.generate(bits: 5000) }
    }

    @Test("the openssl command line verifies Drover's signature; a 1024-bit or EC key from openssl is refused")
    func opensslVerifies() throws {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let key = try RSASigningKey.generate()
        let directory = openssl.directory
        try key.pem.write(to: directory.appendingPathComponent("key.pem"), atomically: true, encoding: .utf8)
        let message = Array("a signing input".utf8)
        try Data(message).write(to: directory.appendingPathComponent("message"))
        try Data(key.signRS256(message)).write(to: directory.appendingPathComponent("signature"))
        try openssl.run(["pkey", "-in", "key.pem", "-pubout", "-out", "public.pem"])
        let verified = try openssl.run(["dgst", "-sha256", "-verify", "public.pem", "-signature", "signature", "message"])
        #expect(String(decoding: verified, as: UTF8.self).contains("Verified OK"))

        try openssl.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "small.pem"])
        let small = try String(contentsOf: directory.appendingPathComponent("small.pem"), encoding: .utf8)
        #expect(throws: JSONWebKeyError.rsaModulusTooSmall(bits: 1024)) { try RSASigningKey(pem: small) }
        try openssl.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"])
        let ec = try String(contentsOf: directory.appendingPathComponent("ec.pem"), encoding: .utf8)
        #expect(throws: JSONWebKeyError.self) { try RSASigningKey(pem: ec) }
    }
}
