import Drover
import DroverIntegrationKit
import DroverKV
import DroverTestSupport
import Foundation
import Synchronization

/// `Benchmarks jwt [seconds] [rounds]` (or `jwt ratio [rounds]`, below): RS256 JWT verification by DroverIntegrationKit with a
/// 2048-bit key and the JWKS already cached, beside `openssl speed rsa2048`'s verifications per
/// second on the same machine (the bare RSA public-key operation) and beside that plus SHA-256 of
/// the token's signing input, which `openssl speed rsa2048` does not compute: the ceiling of a
/// whole RS256 verification.
///
/// The key and the token are made by the `openssl` command line. The token is a Clerk-sized
/// session token (kid and typ in the header, ten claims). Rows:
/// - `verify, memory cache`: `JWTVerifier.verify` through a `JWKSCache` with a `JWKSMemoryCache`
///   in front of its KV namespace: what a worker holding the cache in a `static let` pays;
/// - `verify, KV only`: the same without the memory cache, so each token reads and parses the KV
///   copy of the JWKS (a `FileKVNamespace` here);
/// - `JSONWebKey.verify`: Drover's signature check alone (libcrypto's `EVP_DigestVerify`, SHA-256
///   of the signing input included);
/// - `JSONWebToken(compact:)` and `JWKSCache.keySet, memory cache`: the kit's two other steps alone,
///   parsing the token and finding the cached set.
///
/// Rates are per second of the process's CPU time, as `openssl speed` counts by default. The rows
/// run one after the other, `seconds` each; the headline after them interleaves `rounds` one-second
/// runs of `openssl speed` and of the verifier and compares the best of each, since on a shared VM
/// the speed of the machine drifts by more than the difference being measured.
enum JWTBenchmark {
    static func run(arguments: [String]) async throws {
        // `Benchmarks jwt ratio [rounds]`: only the ratio of the kit's verification to the bare
        // signature check, for judging a change to the kit.
        let ratioOnly = arguments.first == "ratio"
        let arguments = ratioOnly ? ["1"] + arguments.dropFirst() : arguments
        // `openssl speed -seconds` takes a whole number of seconds, at least 1.
        guard let wholeSeconds = arguments.first.map({ Int($0) }) ?? 3, wholeSeconds >= 1,
            let rounds = arguments.dropFirst().first.map({ Int($0) }) ?? (ratioOnly ? 12 : 5), rounds >= 1
        else { throw OpenSSLCommand.Failure(description: "usage: Benchmarks jwt [seconds, a whole number >= 1] [rounds >= 1], or Benchmarks jwt ratio [rounds]") }
        let seconds = Double(wholeSeconds)
        let openssl = try OpenSSLCommand()
        defer { openssl.remove() }
        let pair = try openssl.rsaKey(bits: 2048)
        var jwk = pair.jwk.objectValue ?? JSONObject()
        jwk["kid"] = "ins_2abcDEFghiJKL"
        jwk["alg"] = "RS256"
        jwk["use"] = "sig"
        let jwks: JSONValue = ["keys": [JSONValue.object(jwk)]]

        let now = Int64(Date().timeIntervalSince1970)
        let header: JSONValue = ["alg": "RS256", "kid": "ins_2abcDEFghiJKL", "typ": "JWT"]
        let claims: JSONValue = [
            "azp": "https://app.example.com", "exp": now + 86_400, "fva": [12, -1], "iat": now - 10,
            "iss": "https://clerk.example.com", "nbf": now - 20, "sid": "sess_2abcDEFghiJKLmnoPQRstuVWxyz",
            "sub": "user_2abcDEFghiJKLmnoPQRstuVWxyz", "v": 2, "pla": "u:free_user",
        ]
        let input = Base64URL.encode(JSONSerializer.bytes(header)) + "." + Base64URL.encode(JSONSerializer.bytes(claims))
        let token = input + "." + Base64URL.encode(try openssl.sign(Array(input.utf8), with: pair))

        let root = NSTemporaryDirectory() + "drover-jwt-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = SystemWallClock()
        let kv = try FileKVNamespace(directory: root + "/kv", clock: clock, logger: .disabled)
        let fetcher = JWKSFetcher(jwks: jwks)
        let configuration = JWTVerifier.Configuration(issuer: "https://clerk.example.com", authorizedParties: ["https://app.example.com"])
        let url = "https://clerk.example.com/.well-known/jwks.json"
        let memory = JWKSMemoryCache()
        let cached = JWTVerifier(
            configuration: configuration, keys: JWKSCache(url: url, kv: kv, fetcher: fetcher, clock: clock, memory: memory), clock: clock)
        let kvOnly = JWTVerifier(configuration: configuration, keys: JWKSCache(url: url, kv: kv, fetcher: fetcher, clock: clock), clock: clock)
        _ = try await cached.verify(token)  // fetches the JWKS once, into KV and memory

        let key = try JSONWebKey(.object(jwk))
        let signingInput = Array(input.utf8)
        let signature = Base64URL.decode(token.split(separator: ".")[2]) ?? []

        if ratioOnly {
            // The kit's share of a verification, immune to the VM's drift: the two rates in
            // alternating 0.3-s windows, the median of their ratios.
            var ratios: [Double] = []
            for _ in 0..<rounds {
                let whole = try await rate(seconds: 0.3) { _ = try await cached.verify(token) }
                let bare = try await rate(seconds: 0.3) {
                    guard key.verify(signature: signature, message: signingInput, algorithm: .rs256) else { throw JWTError(.invalidSignature, "") }
                }
                ratios.append(whole / bare)
            }
            let median = ratios.sorted()[ratios.count / 2]
            print("JWTVerifier.verify / JSONWebKey.verify, median of \(rounds) alternating 0.3-s windows: \(String(format: "%.3f", median))")
            return
        }
        let memoryRate = try await rate(seconds: seconds) { _ = try await cached.verify(token) }
        let kvRate = try await rate(seconds: seconds) { _ = try await kvOnly.verify(token) }
        let parseRate = try await rate(seconds: seconds) { _ = try JSONWebToken(compact: token) }
        let parts = token.split(separator: ".").map { Array($0.utf8) }
        let base64Rate = try await rate(seconds: seconds) {
            for part in parts { guard Base64URL.decode(utf8: part) != nil else { throw JWTError(.invalidBase64URL, "") } }
        }
        let payloadJSON = Base64URL.decode(utf8: parts[1]) ?? []
        let claimsRate = try await rate(seconds: seconds) { _ = try JWTClaims(JSONParser.parse(payloadJSON)) }
        let memoryKeys = JWKSCache(url: url, kv: kv, fetcher: fetcher, clock: clock, memory: memory)
        let lookupRate = try await rate(seconds: seconds) { _ = try await memoryKeys.keySet(forKeyID: "ins_2abcDEFghiJKL") }
        let keyRate = try await rate(seconds: seconds) {
            guard key.verify(signature: signature, message: signingInput, algorithm: .rs256) else { throw JWTError(.invalidSignature, "") }
        }
        // The headline, robust to a VM whose speed drifts from one second to the next: rounds of
        // one second of `openssl speed` then one of the kit, interleaved, best of each.
        var bestSpeed = 0.0
        var bestVerify = 0.0
        var roundRatios: [Double] = []
        for _ in 0..<rounds {
            let speed = try opensslVerifyRate(openssl, seconds: 1)
            let verify = try await rate(seconds: 1) { _ = try await cached.verify(token) }
            bestSpeed = max(bestSpeed, speed)
            bestVerify = max(bestVerify, verify)
            roundRatios.append(verify / speed)
        }
        let speed = try opensslVerifyRate(openssl, seconds: seconds)
        // `openssl speed rsa2048` verifies a digest it never computes; an RS256 verification also
        // hashes the signing input. The ceiling of a whole verification is both.
        let hashBytesPerSecond = try opensslSHA256Rate(openssl, bytes: signingInput.count, seconds: seconds)
        let ceiling = 1 / (1 / speed + Double(signingInput.count) / hashBytesPerSecond)
        guard fetcher.count == 1 else { throw JWTError(.jwksUnavailable, "the JWKS was fetched \(fetcher.count) times, not once") }

        func row(_ name: String, _ value: Double) -> String {
            "| \(name) | \(Int(value)) | \(String(format: "%.0f", 100 * value / speed)) % | \(String(format: "%.0f", 100 * value / ceiling)) % |"
        }
        print("JWT benchmark: RS256, 2048-bit key, \(Int(seconds)) s of CPU time per row, one task")
        print("| operation | per CPU second | of openssl speed | of RSA + SHA-256 ceiling |")
        print("|---|---|---|---|")
        print(row("openssl speed rsa2048 (verify/s)", speed))
        print(row("ceiling: that + SHA-256 of the \(signingInput.count)-byte signing input", ceiling))
        print(row("JSONWebKey.verify", keyRate))
        print("| JSONWebToken(compact:) | \(Int(parseRate)) | | |")
        print("| its three Base64URL.decode(utf8:) | \(Int(base64Rate)) | | |")
        print("| its JWTClaims(JSONParser.parse(payload)) | \(Int(claimsRate)) | | |")
        print("| JWKSCache.keySet, memory cache | \(Int(lookupRate)) | | |")
        print(row("JWTVerifier.verify, memory cache", memoryRate))
        print(row("JWTVerifier.verify, KV only", kvRate))
        let ratios = roundRatios.map { String(format: "%.0f", 100 * $0) }.joined(separator: " ")
        print("")
        print("interleaved, \(rounds) rounds of 1 s each: best openssl speed \(Int(bestSpeed))/s, best JWTVerifier.verify \(Int(bestVerify))/s")
        let bestCeiling = 1 / (1 / bestSpeed + Double(signingInput.count) / hashBytesPerSecond)
        print(
            "JWTVerifier.verify, memory cache: \(String(format: "%.0f", 100 * bestVerify / bestSpeed)) % of openssl speed, "
                + "\(String(format: "%.0f", 100 * bestVerify / bestCeiling)) % of the ceiling (best of each); per round: \(ratios) % of openssl speed")
    }

    /// How many times per CPU second `body` runs, over about `seconds` of CPU time: `openssl speed`
    /// counts user CPU time too (unless given `-elapsed`), so both sides are measured alike, and
    /// other processes sharing the cores do not skew the comparison.
    static func rate(seconds: Double, _ body: () async throws -> Void) async throws -> Double {
        let start = processCPUSeconds()
        var count = 0
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<100 { try await body() }
            count += 100
            elapsed = processCPUSeconds() - start
        }
        return Double(count) / elapsed
    }

    /// `openssl speed -evp sha256 -bytes N`'s bytes hashed per second, in blocks of `bytes` (its
    /// last line: `sha256  953268.12k`, in thousands of bytes per second).
    static func opensslSHA256Rate(_ openssl: OpenSSLCommand, bytes: Int, seconds: Double) throws -> Double {
        let output = String(
            decoding: try openssl.run(["speed", "-seconds", String(Int(seconds)), "-bytes", String(bytes), "-evp", "sha256"]), as: UTF8.self)
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("sha256") }),
            let field = line.split(separator: " ").last, field.hasSuffix("k"), let thousands = Double(field.dropLast())
        else { throw OpenSSLCommand.Failure(description: "no 'sha256' line in openssl speed's output:\n\(output)") }
        return thousands * 1000
    }

    /// `openssl speed -seconds N rsa2048`'s verifications per second: the last number of its
    /// `rsa 2048 bits` line (`rsa 2048 bits 0.000614s 0.000018s 1629.0 55392.4`).
    static func opensslVerifyRate(_ openssl: OpenSSLCommand, seconds: Double) throws -> Double {
        let output = String(decoding: try openssl.run(["speed", "-seconds", String(Int(seconds)), "rsa2048"]), as: UTF8.self)
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("rsa 2048 bits") }),
            let value = line.split(separator: " ").last.flatMap({ Double($0) })
        else { throw OpenSSLCommand.Failure(description: "no 'rsa 2048 bits' line in openssl speed's output:\n\(output)") }
        return value
    }
}

/// The issuer's JWKS endpoint: answers the set, and counts how often it is asked.
private final class JWKSFetcher: Fetcher {
    let jwks: JSONValue
    private let requests = Mutex(0)

    init(jwks: JSONValue) {
        self.jwks = jwks
    }

    var count: Int { requests.withLock { $0 } }

    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        requests.withLock { $0 += 1 }
        return .json(jwks)
    }
}
