import Foundation
import Testing

@testable import Drover

/// The public crypto test vectors vendored in `Vendor/crypto-vectors/crypto-vectors.json`, whose
/// README gives each value's provenance. All are public RFC and NIST data:
/// - HMAC-SHA256: RFC 4231 section 4, test cases 1–4, 6 and 7 (5 truncates its output);
/// - SHA-256: FIPS 180-2 appendix B.1 ("abc") and NIST CAVP SHA256ShortMsg (the empty message);
/// - JWS: RFC 7515 appendix A.2 (RS256) and A.3 (ES256), with bit-flipped and re-serialized
///   negatives.
enum CryptoVectors {
    /// `<package root>/Vendor/crypto-vectors/crypto-vectors.json`, found from this file's path.
    static let file: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DroverTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Vendor/crypto-vectors/crypto-vectors.json")

    /// The vectors are missing or not as expected: a failure, never a skip.
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// One RFC 4231 case.
    struct HMACCase: Sendable, CustomTestStringConvertible {
        let id: String
        let key: [UInt8]
        let data: [UInt8]
        let mac: [UInt8]
        let macBase64: String
        var testDescription: String { id }
    }

    /// One SHA-256 case.
    struct SHA256Case: Sendable, CustomTestStringConvertible {
        let id: String
        let input: [UInt8]
        let digest: [UInt8]
        var testDescription: String { id }
    }

    /// A compact JWS cut into what ``JSONWebKey/verify(signature:message:algorithm:)`` takes.
    struct Token: Sendable {
        let id: String
        /// `header.payload`, as received.
        let signingInput: String
        let signature: [UInt8]
    }

    /// One RFC 7515 appendix with the key that signed it and the tokens it must refuse.
    struct JWSCase: Sendable, CustomTestStringConvertible {
        let id: String
        let algorithm: JWSAlgorithm
        let jwk: JSONValue
        let token: Token
        let negatives: [Token]
        var testDescription: String { id }
    }

    static func root() throws -> JSONValue {
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: file))
        } catch {
            throw Malformed(description: "the crypto vectors are missing: cannot read \(file.path) (\(error))")
        }
        return try JSONParser.parse(bytes)
    }

    static func hmacCases() throws -> [HMACCase] {
        try array(root()["hmac_sha256_rfc4231"]?["cases"]).map { item in
            HMACCase(
                id: try string(item["id"]),
                key: try hexValue(item["key_hex"]),
                data: try hexValue(item["data_hex"]),
                mac: try hexValue(item["hmac_sha256_hex"]),
                macBase64: try string(item["hmac_sha256_base64"])
            )
        }
    }

    static func sha256Cases() throws -> [SHA256Case] {
        try array(root()["sha256"]).map { item in
            SHA256Case(id: try string(item["id"]), input: try hexValue(item["input_hex"]), digest: try hexValue(item["sha256_hex"]))
        }
    }

    static func jwsCases() throws -> [JWSCase] {
        try array(root()["jws_rfc7515"]?["cases"]).map { item in
            let id = try string(item["id"])
            guard let algorithm = JWSAlgorithm(rawValue: try string(item["alg"])), let jwk = item["jwk_public"] else {
                throw Malformed(description: "\(id): no usable alg or jwk_public")
            }
            let negatives = try array(item["negative"]).map { try token(id: string($0["id"]), compact: string($0["compact"])) }
            return JWSCase(
                id: id,
                algorithm: algorithm,
                jwk: jwk,
                token: try token(id: id, compact: string(item["compact"])),
                negatives: negatives
            )
        }
    }

    /// The JWK of the RFC 7515 case `id` (`rfc7515-A.2`, `rfc7515-A.3`).
    static func jwk(_ id: String) throws -> JSONValue {
        guard let found = try jwsCases().first(where: { $0.id == id }) else { throw Malformed(description: "no case \(id)") }
        return found.jwk
    }

    static func token(id: String, compact: String) throws -> Token {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(parts[2]) else {
            throw Malformed(description: "\(id): not a compact JWS")
        }
        return Token(id: id, signingInput: "\(parts[0]).\(parts[1])", signature: signature)
    }

    private static func array(_ value: JSONValue?) throws -> [JSONValue] {
        guard let elements = value?.arrayValue else { throw Malformed(description: "an array is missing in \(file.lastPathComponent)") }
        return elements
    }

    private static func string(_ value: JSONValue?) throws -> String {
        guard let string = value?.stringValue else { throw Malformed(description: "a string is missing in \(file.lastPathComponent)") }
        return string
    }

    private static func hexValue(_ value: JSONValue?) throws -> [UInt8] {
        let text = try string(value)
        guard let bytes = Self.bytes(hex: text) else { throw Malformed(description: "not hex: \(text)") }
        return bytes
    }

    /// The bytes a hexadecimal string spells (either case), or nil.
    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// `bytes` in lower-case hexadecimal.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
