import Drover
import DroverKV
import DroverTestSupport
import Foundation
import Synchronization

@testable import DroverIntegrationKit

/// The tests' start time, 2026-01-01T00:00:00Z: a whole number of seconds, so times built from it
/// compare exactly.
let jwtTestStart: Double = 1_767_225_600

/// A manual clock frozen at ``jwtTestStart``.
func jwtTestClock() -> ManualWallClock {
    ManualWallClock(Date(timeIntervalSince1970: jwtTestStart))
}

/// The issuer the tests' tokens name.
let testIssuer = "https://clerk.example.com"

/// A private key made by `openssl` and kept in memory as PEM, with its public JWK.
struct TestKey: Sendable {
    enum Kind: Sendable {
        case rsa
        case ec
    }

    let kind: Kind
    let pem: [UInt8]
    /// The public key as a JWK with `kid` and, when given, `alg`.
    let jwk: JSONValue

    var kid: String { jwk["kid"]?.stringValue ?? "" }

    /// The parsed public key.
    func publicKey() throws -> JSONWebKey { try JSONWebKey(jwk) }

    /// The signature of `message` for `algorithm`, made by `openssl` in a folder of its own; an
    /// ES256 signature converted from DER to `r || s`.
    func sign(_ message: [UInt8], algorithm: JWSAlgorithm) throws -> [UInt8] {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let file = openssl.directory.appendingPathComponent("key.pem")
        try Data(pem).write(to: file)
        let pair = OpenSSLCommand.KeyPair(privateKeyFile: file, jwk: jwk)
        switch algorithm {
        case .rs256: return try openssl.sign(message, with: pair)
        case .ps256:
            return try openssl.sign(message, with: pair, options: ["rsa_padding_mode:pss", "rsa_mgf1_md:sha256", "rsa_pss_saltlen:32"])
        case .es256: return try OpenSSLCommand.joseSignature(der: openssl.sign(message, with: pair))
        }
    }
}

/// The keys of the JWT tests, made once per run by `openssl`: RSA 2048-bit keys for RS256 (`rsa-1`,
/// and `rsa-2` for rotation), one published for PS256 only (`ps-1`), a P-256 key (`ec-1`).
struct TestKeys: Sendable {
    let rsa: TestKey
    let rotated: TestKey
    let pss: TestKey
    let ec: TestKey
    /// The PEM text of `rsa`'s public key, the secret of an algorithm-confusion token.
    let rsaPublicPEM: [UInt8]

    private static let shared = Result { try TestKeys() }

    /// The shared keys.
    static func make() throws -> TestKeys { try shared.get() }

    private init() throws {
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        func key(_ kind: TestKey.Kind, name: String, alg: String?) throws -> TestKey {
            let pair = kind == .rsa ? try openssl.rsaKey(bits: 2048, name: name) : try openssl.ecKey(name: name)
            var object = pair.jwk.objectValue ?? JSONObject()
            object["kid"] = .string(name)
            if let alg { object["alg"] = .string(alg) }
            object["use"] = "sig"
            return TestKey(kind: kind, pem: Array(try Data(contentsOf: pair.privateKeyFile)), jwk: .object(object))
        }
        rsa = try key(.rsa, name: "rsa-1", alg: "RS256")
        rotated = try key(.rsa, name: "rsa-2", alg: "RS256")
        pss = try key(.rsa, name: "ps-1", alg: "PS256")
        ec = try key(.ec, name: "ec-1", alg: nil)
        let file = openssl.directory.appendingPathComponent("rsa-public.pem")
        try Data(rsa.pem).write(to: file)
        rsaPublicPEM = try openssl.run(["pkey", "-in", file.path, "-pubout"])
    }

    /// A JWKS of `keys` as served by an issuer.
    static func jwks(_ keys: [TestKey]) -> JSONValue {
        .object(JSONObject([("keys", .array(keys.map(\.jwk)))]))
    }

    /// The JWKS `rsa-1`, `ps-1`, `ec-1`.
    var jwks: JSONValue { Self.jwks([rsa, pss, ec]) }

    /// The claims of a valid session token at ``jwtTestStart``: issued 10 s before, expiring 60 s after.
    static func claims(_ changes: [String: JSONValue?] = [:]) -> JSONValue {
        var claims: JSONObject = [
            "iss": testIssuer, "sub": "user_1", "sid": "sess_1", "azp": "https://app.example.com",
            "iat": Int64(jwtTestStart) - 10, "nbf": Int64(jwtTestStart) - 10, "exp": Int64(jwtTestStart) + 60,
        ]
        for (name, value) in changes { claims[name] = value }
        return .object(claims)
    }
}

/// JWTs put together for tests.
enum TestToken {
    /// `BASE64URL(header).BASE64URL(payload)`.
    static func signingInput(header: JSONValue, claims: JSONValue) -> String {
        Base64URL.encode(JSONSerializer.bytes(header)) + "." + Base64URL.encode(JSONSerializer.bytes(claims))
    }

    /// A token signed by `key` with `algorithm`, its header `{"alg", "typ": "JWT", "kid"}` plus `extra`.
    static func signed(
        _ claims: JSONValue = TestKeys.claims(), key: TestKey, algorithm: JWSAlgorithm = .rs256, kid: String? = nil,
        extra: [(String, JSONValue)] = []
    ) throws -> String {
        var header = JSONObject([("alg", .string(algorithm.rawValue)), ("typ", "JWT"), ("kid", .string(kid ?? key.kid))])
        for (name, value) in extra { header[name] = value }
        let input = signingInput(header: .object(header), claims: claims)
        return input + "." + Base64URL.encode(try key.sign(Array(input.utf8), algorithm: algorithm))
    }

    /// A token whose header is `header` and whose signature is `signature`, signed by nobody.
    static func unsigned(header: JSONValue, claims: JSONValue = TestKeys.claims(), signature: [UInt8] = []) -> String {
        signingInput(header: header, claims: claims) + "." + Base64URL.encode(signature)
    }
}

/// The outbound fetch of the JWKS tests: answers what the test scripts and counts the requests.
final class ScriptedFetcher: Fetcher {
    /// What the next requests get.
    enum Answer: Sendable {
        case jwks(JSONValue)
        case status(Int)
        case body(String)
        case failure(FetchError)
    }

    private let state: Mutex<(answer: Answer, urls: [String])>

    init(_ answer: Answer) {
        state = Mutex((answer, []))
    }

    /// Changes what the next requests get.
    func answer(_ answer: Answer) {
        state.withLock { $0.answer = answer }
    }

    /// How many requests were made.
    var count: Int { state.withLock { $0.urls.count } }

    /// The URLs requested, in order.
    var urls: [String] { state.withLock { $0.urls } }

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        let answer = state.withLock { state in
            state.urls.append(request.url)
            return state.answer
        }
        switch answer {
        case .jwks(let json): return .json(json)
        case .status(let status): return Response("upstream says no", status: status)
        case .body(let text): return Response(text)
        case .failure(let error): throw error
        }
    }
}

/// The code of the `JWTError` `body` throws, or nil when it throws none.
func jwtErrorCode(_ body: () async throws -> Void) async -> JWTError.Code? {
    do {
        try await body()
        return nil
    } catch let error as JWTError {
        return error.code
    } catch {
        return nil
    }
}

/// A KV namespace that gives up its thread before each operation, as a remote KV's latency would,
/// so that concurrent tasks interleave between a read and the write that follows it.
struct YieldingKV: KVNamespace {
    let base: any KVNamespace

    func getWithMetadata(_ key: String, cacheTtl: Int?) async throws -> KVEntry? {
        await Task.yield()
        return try await base.getWithMetadata(key, cacheTtl: cacheTtl)
    }

    func get(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValue?] {
        await Task.yield()
        return try await base.get(keys, type: type, cacheTtl: cacheTtl)
    }

    func getWithMetadata(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValueWithMetadata?] {
        await Task.yield()
        return try await base.getWithMetadata(keys, type: type, cacheTtl: cacheTtl)
    }

    func put(_ key: String, value: [UInt8], options: KVPutOptions) async throws {
        await Task.yield()
        try await base.put(key, value: value, options: options)
    }

    func delete(_ key: String) async throws {
        await Task.yield()
        try await base.delete(key)
    }

    func list(_ options: KVListOptions) async throws -> KVListResult {
        await Task.yield()
        return try await base.list(options)
    }
}

/// The `JWTError` `body` throws, or nil.
func jwtError<T>(_ body: () async throws -> T) async -> JWTError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? JWTError
    }
}
