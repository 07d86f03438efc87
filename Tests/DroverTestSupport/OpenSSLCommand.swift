import Drover
import Foundation

/// The `openssl` command line, run in a temporary folder of its own: generates keys, signs, and
/// exports public keys, so `JSONWebKey` and the JWT verifier are checked against an independent
/// signer. Missing `openssl` is a failure with a clear message, never a skip (`scripts/bootstrap`
/// installs it).
package struct OpenSSLCommand: Sendable {
    /// `openssl` is missing or failed.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String

        package init(description: String) {
            self.description = description
        }
    }

    /// A private key in a PEM file and its public half as a JWK.
    package struct KeyPair: Sendable {
        package let privateKeyFile: URL
        package let jwk: JSONValue

        package init(privateKeyFile: URL, jwk: JSONValue) {
            self.privateKeyFile = privateKeyFile
            self.jwk = jwk
        }
    }

    package let executable: URL
    package let directory: URL

    /// Finds `openssl` on `PATH` and makes a temporary folder; call ``remove()`` when done.
    package init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("openssl") }
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Failure(
                description: "the openssl command line tool is not installed (not on PATH \(path)): these tests sign with it; "
                    + "install it with scripts/bootstrap (Debian package openssl)"
            )
        }
        self.executable = executable
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("drover-crypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    package func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `openssl arguments` in the folder; its standard output. Throws with its standard error
    /// when it exits with a failure.
    @discardableResult
    package func run(_ arguments: [String]) throws -> [UInt8] {
        let result = try ChildProcess.run(executable.path, arguments, directory: directory.path)
        guard result.termination == .exited(0) else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) \(result.termination): \(result.errorText)")
        }
        return result.output
    }

    /// A new RSA key of `bits` bits.
    package func rsaKey(bits: Int, name: String = "rsa") throws -> KeyPair {
        let file = directory.appendingPathComponent("\(name).pem")
        try run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(bits)", "-out", file.path])
        // SubjectPublicKeyInfo { AlgorithmIdentifier, BIT STRING { RSAPublicKey { n, e } } }
        var spki = try DERReader(publicKeyDER(file)).sequence()
        _ = try spki.read(tag: DERReader.sequenceTag)
        var rsaPublicKey = try DERReader(bitString(spki.read(tag: DERReader.bitStringTag))).sequence()
        let n = try rsaPublicKey.read(tag: DERReader.integerTag)
        let e = try rsaPublicKey.read(tag: DERReader.integerTag)
        return KeyPair(privateKeyFile: file, jwk: ["kty": "RSA", "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))])
    }

    /// A new EC key on `curve` (`P-256`, `P-384`); the JWK names the curve as given.
    package func ecKey(curve: String = "P-256", name: String = "ec") throws -> KeyPair {
        let file = directory.appendingPathComponent("\(name).pem")
        try run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(curve)", "-out", file.path])
        // SubjectPublicKeyInfo { AlgorithmIdentifier, BIT STRING { 04 || x || y } }
        var spki = try DERReader(publicKeyDER(file)).sequence()
        _ = try spki.read(tag: DERReader.sequenceTag)
        let point = try bitString(spki.read(tag: DERReader.bitStringTag))
        let size = (point.count - 1) / 2
        guard point.first == 0x04, point.count == 1 + 2 * size else { throw Failure(description: "not an uncompressed point") }
        return KeyPair(
            privateKeyFile: file,
            jwk: [
                "kty": "EC", "crv": .string(curve), "x": .string(Base64URL.encode(point[1...size])),
                "y": .string(Base64URL.encode(point[(1 + size)...])),
            ]
        )
    }

    /// `openssl dgst -sha256 -sign`: the signature of `message` under `key`, with `-sigopt` options
    /// (`rsa_padding_mode:pss`, …). ECDSA signatures come out DER-encoded.
    package func sign(_ message: [UInt8], with key: KeyPair, options: [String] = []) throws -> [UInt8] {
        let name = UUID().uuidString
        let messageFile = directory.appendingPathComponent("\(name).msg")
        let signatureFile = directory.appendingPathComponent("\(name).sig")
        try Data(message).write(to: messageFile)
        try run(
            ["dgst", "-sha256", "-sign", key.privateKeyFile.path] + options.flatMap { ["-sigopt", $0] }
                + ["-out", signatureFile.path, messageFile.path]
        )
        return Array(try Data(contentsOf: signatureFile))
    }

    /// A DER ECDSA signature `SEQUENCE { r INTEGER, s INTEGER }` as JOSE's `r || s`, each
    /// left-padded to `size` bytes (RFC 7518 §3.4).
    package static func joseSignature(der: [UInt8], size: Int = 32) throws -> [UInt8] {
        var sequence = try DERReader(der).sequence()
        var raw: [UInt8] = []
        for _ in 0..<2 {
            let integer = Array(try sequence.read(tag: DERReader.integerTag).drop(while: { $0 == 0 }))
            guard integer.count <= size else { throw Failure(description: "ECDSA integer longer than \(size) bytes") }
            raw += [UInt8](repeating: 0, count: size - integer.count) + integer
        }
        return raw
    }

    /// The public half of `key` as PEM text (`-----BEGIN PUBLIC KEY-----`), as an issuer might
    /// publish it beside its JWKS.
    package func publicKeyPEM(_ key: KeyPair) throws -> [UInt8] {
        try run(["pkey", "-in", key.privateKeyFile.path, "-pubout"])
    }

    private func publicKeyDER(_ file: URL) throws -> [UInt8] {
        try run(["pkey", "-in", file.path, "-pubout", "-outform", "DER"])
    }

    /// The bits of a BIT STRING with no unused bits.
    private func bitString(_ contents: [UInt8]) throws -> [UInt8] {
        guard contents.first == 0 else { throw Failure(description: "BIT STRING with unused bits") }
        return Array(contents.dropFirst())
    }
}

/// Just enough DER to take apart what `openssl` writes: tag, definite length, contents.
package struct DERReader {
    package static let integerTag: UInt8 = 0x02
    package static let bitStringTag: UInt8 = 0x03
    package static let sequenceTag: UInt8 = 0x30

    private let bytes: [UInt8]
    private var index = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A reader of the contents of the SEQUENCE this reader starts with.
    package func sequence() throws -> DERReader {
        var copy = self
        return DERReader(try copy.read(tag: Self.sequenceTag))
    }

    /// The contents of the next element, which must have `tag`.
    package mutating func read(tag: UInt8) throws -> [UInt8] {
        guard index + 2 <= bytes.count, bytes[index] == tag else {
            throw OpenSSLCommand.Failure(description: "DER: expected tag \(tag) at \(index)")
        }
        var length = Int(bytes[index + 1])
        index += 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count >= 1, count <= 2, index + count <= bytes.count else { throw OpenSSLCommand.Failure(description: "DER: bad length") }
            length = bytes[index..<index + count].reduce(0) { $0 << 8 | Int($1) }
            index += count
        }
        guard index + length <= bytes.count else { throw OpenSSLCommand.Failure(description: "DER: truncated") }
        defer { index += length }
        return Array(bytes[index..<index + length])
    }
}
