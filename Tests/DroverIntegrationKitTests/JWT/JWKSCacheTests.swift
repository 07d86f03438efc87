import Drover
import DroverKV
import Foundation
import Synchronization
import Testing

@testable import DroverIntegrationKit

/// The JWKS kept in a real file-backed KV namespace, fetched through a scripted fetcher that counts
/// requests, on a manual clock: exact fetch counts at the exact times the configuration names.
@Suite("JWKS cache")
struct JWKSCacheTests {
    static let url = "https://clerk.example.com/.well-known/jwks.json"

    /// A KV namespace, a fetcher serving the test JWKS, and a clock at the start.
    struct Setup {
        let keys: TestKeys
        let clock: ManualWallClock
        let storage: TemporaryKV
        let fetcher: ScriptedFetcher
        let logs: MemoryLogSink

        init() throws {
            keys = try TestKeys.make()
            clock = jwtTestClock()
            storage = try TemporaryKV(clock: clock)
            fetcher = ScriptedFetcher(.jwks(keys.jwks))
            logs = MemoryLogSink()
        }

        var kv: any KVNamespace { storage.kv }

        func cache(_ configuration: JWKSCache.Configuration = .init(), memory: JWKSMemoryCache? = nil) -> JWKSCache {
            JWKSCache(
                url: JWKSCacheTests.url, kv: storage.kv, fetcher: fetcher, clock: clock,
                logger: Logger(label: "jwks", level: .trace, sink: logs, clock: clock), configuration: configuration, memory: memory)
        }

        /// Messages logged at `level`.
        func messages(_ level: Logger.Level) -> [String] {
            logs.all.filter { $0.level == level }.map(\.message)
        }
    }

    @Test("the first call fetches and stores the set with its fetch time; later calls read KV, not the URL")
    func freshHit() async throws {
        let setup = try Setup()
        let cache = setup.cache()
        let first = try await cache.keySet(forKeyID: "rsa-1")
        #expect(first.source == .fetched)
        #expect(first.fetchedAt == Date(timeIntervalSince1970: jwtTestStart))
        #expect(first.keySet.keys.count == 3)
        #expect(setup.fetcher.urls == [Self.url])
        setup.clock.advance(by: 1800)
        let second = try await cache.keySet(forKeyID: "ec-1")
        #expect(second.source == .kv)
        #expect(second.fetchedAt == Date(timeIntervalSince1970: jwtTestStart))
        // A cache made afresh (another request, another process) shares the KV copy.
        let other = try await setup.cache().keySet(forKeyID: "ps-1")
        #expect(other.source == .kv)
        #expect(setup.fetcher.count == 1)
        // The KV entry: its fetch time inside, kept for time to live plus stale-if-error.
        let entry = try #require(try await setup.kv.getWithMetadata(cache.recordKey))
        #expect(entry.expiration == Int64(jwtTestStart) + 3600 + 86_400)
        let record = try JSONParser.parse(entry.value)
        #expect(record["fetchedAt"] == .integer(Int64(jwtTestStart) * 1000))
        #expect(record["url"] == .string(Self.url))
        #expect(cache.recordKey.hasPrefix("jwks:") && cache.recordKey.count == 5 + 64)
    }

    @Test("with a memory cache in front, a fresh copy is served without reading KV")
    func memoryHit() async throws {
        let setup = try Setup()
        let memory = JWKSMemoryCache()
        #expect(try await setup.cache(memory: memory).keySet(forKeyID: "rsa-1").source == .fetched)
        #expect(try await setup.cache(memory: memory).keySet(forKeyID: "rsa-1").source == .memory)
        // A fresh memory reads the KV copy, never the URL: KV is the state.
        #expect(try await setup.cache(memory: JWKSMemoryCache()).keySet(forKeyID: "rsa-1").source == .kv)
        #expect(setup.fetcher.count == 1)
        // While its copy is fresh the memory answers without reading KV: a wiped KV goes unnoticed.
        try await setup.kv.delete(setup.cache().recordKey)
        #expect(try await setup.cache(memory: memory).keySet(forKeyID: "rsa-1").source == .memory)
        // Past the time to live the memory copy is not used.
        setup.clock.advance(by: 3600)
        #expect(try await setup.cache(memory: memory).keySet(forKeyID: "rsa-1").source == .fetched)
        #expect(setup.fetcher.count == 2)
    }

    @Test("the memory copy belongs to its KV namespace: bindings opened afresh (a replayed fixture) start from their own KV")
    func memoryScopedToNamespace() async throws {
        let setup = try Setup()
        let memory = JWKSMemoryCache()
        #expect(try await setup.cache(memory: memory).keySet(forKeyID: "rsa-1").source == .fetched)
        #expect(try await setup.cache(memory: memory).keySet(forKeyID: "rsa-1").source == .memory)
        // Another namespace, the same URL and memory: its own (empty) KV decides, so it fetches.
        let other = try TemporaryKV(clock: setup.clock)
        let elsewhere = JWKSCache(url: Self.url, kv: other.kv, fetcher: setup.fetcher, clock: setup.clock, memory: memory)
        #expect(try await elsewhere.keySet(forKeyID: "rsa-1").source == .fetched)
        #expect(setup.fetcher.count == 2)
        #expect(try await elsewhere.keySet(forKeyID: "rsa-1").source == .memory)
        // The memory now holds the other namespace's copy; the first reads its KV again.
        #expect(try await setup.cache(memory: memory).keySet(forKeyID: "rsa-1").source == .kv)
        // A value-type namespace has no identity to match: never a memory copy, always KV.
        let value = YieldingKV(base: setup.kv)
        let byValue = JWKSCache(url: Self.url, kv: value, fetcher: setup.fetcher, clock: setup.clock, memory: memory)
        #expect(try await byValue.keySet(forKeyID: "rsa-1").source == .kv)
        #expect(try await byValue.keySet(forKeyID: "rsa-1").source == .kv)
        #expect(setup.fetcher.count == 2)
    }

    @Test("the set is refetched at exactly the time to live, not a millisecond before")
    func expiry() async throws {
        let setup = try Setup()
        let cache = setup.cache(.init(timeToLive: .seconds(600)))
        _ = try await cache.keySet(forKeyID: "rsa-1")
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 599.999))
        #expect(try await cache.keySet(forKeyID: "rsa-1").source == .kv)
        #expect(setup.fetcher.count == 1)
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 600))
        let refetched = try await cache.keySet(forKeyID: "rsa-1")
        #expect(refetched.source == .fetched)
        #expect(refetched.fetchedAt == Date(timeIntervalSince1970: jwtTestStart + 600))
        #expect(setup.fetcher.count == 2)
    }

    @Test("on a failed refetch the stale copy is served and logged; no fetch again within the backoff")
    func staleOnFailure() async throws {
        let setup = try Setup()
        let cache = setup.cache(.init(timeToLive: .seconds(600), staleIfError: .seconds(3600), failureBackoff: .seconds(60)))
        _ = try await cache.keySet(forKeyID: "rsa-1")
        setup.fetcher.answer(.status(500))
        setup.clock.advance(by: 600)
        let stale = try await cache.keySet(forKeyID: "rsa-1")
        #expect(stale.source == .stale)
        #expect(stale.fetchedAt == Date(timeIntervalSince1970: jwtTestStart))
        #expect(stale.note?.contains("answered 500") == true)
        #expect(setup.fetcher.count == 2)
        #expect(setup.messages(.warning).count == 1)
        #expect(setup.messages(.warning).first?.contains("serving the copy fetched at") == true)
        // Within the backoff: stale, no request.
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 659.999))
        let backingOff = try await cache.keySet(forKeyID: "rsa-1")
        #expect(backingOff.source == .stale)
        #expect(backingOff.note?.contains("the last fetch failed") == true)
        #expect(setup.fetcher.count == 2)
        // After it: tried again, still failing (transport this time), still stale.
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 660))
        setup.fetcher.answer(.failure(FetchError(kind: .timeout, message: "no answer in 5 s")))
        #expect(try await cache.keySet(forKeyID: "rsa-1").source == .stale)
        #expect(setup.fetcher.count == 3)
        // The issuer is back.
        setup.clock.advance(by: 60)
        setup.fetcher.answer(.jwks(setup.keys.jwks))
        #expect(try await cache.keySet(forKeyID: "rsa-1").source == .fetched)
        #expect(setup.fetcher.count == 4)
    }

    @Test("past time to live plus stale-if-error the copy is gone: a failed fetch is jwksUnavailable (503)")
    func staleLimit() async throws {
        let setup = try Setup()
        let cache = setup.cache(.init(timeToLive: .seconds(600), staleIfError: .seconds(3000)))
        _ = try await cache.keySet(forKeyID: "rsa-1")
        setup.fetcher.answer(.status(503))
        setup.clock.advance(by: 3600)
        let error = await jwtError { try await cache.keySet(forKeyID: "rsa-1") }
        #expect(error?.code == .jwksUnavailable)
        #expect(error?.status == 503)
        #expect(error?.detail.contains("answered 503") == true)
        #expect(setup.fetcher.count == 2)
    }

    @Test("a cold start whose fetch fails is jwksUnavailable; the backoff then spares the issuer")
    func coldFailure() async throws {
        let setup = try Setup()
        setup.fetcher.answer(.failure(FetchError(kind: .dns, message: "no such host")))
        let cache = setup.cache()
        #expect(await jwtError { try await cache.keySet(forKeyID: "rsa-1") }?.code == .jwksUnavailable)
        #expect(await jwtError { try await cache.keySet(forKeyID: "rsa-1") }?.detail.contains("the last fetch failed") == true)
        #expect(setup.fetcher.count == 1)
        setup.fetcher.answer(.jwks(setup.keys.jwks))
        setup.clock.advance(by: 60)
        #expect(try await cache.keySet(forKeyID: "rsa-1").source == .fetched)
        #expect(setup.fetcher.count == 2)
    }

    @Test("what the issuer answers must be a JWKS with a usable key", arguments: [
        ScriptedFetcher.Answer.body("not json"), .jwks(["keys": []]), .jwks(["keys": [["kty": "oct", "k": "c2VjcmV0"]]]),
        .jwks(["jwks": []]), .status(404), .body(String(repeating: " ", count: 600 * 1024)),
    ])
    func badResponses(_ answer: ScriptedFetcher.Answer) async throws {
        let setup = try Setup()
        setup.fetcher.answer(answer)
        let code = await jwtError { try await setup.cache().keySet(forKeyID: "rsa-1") }?.code
        #expect(code == .jwksUnavailable || code == .invalidKeySet)
        #expect(try await setup.kv.getBytes(setup.cache().recordKey) == nil)
    }

    @Test("keys the kit cannot use are set aside, the others served")
    func mixedKeys() async throws {
        let setup = try Setup()
        let okp: JSONValue = ["kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "ed"]
        let encryption = try #require(setup.keys.rotated.jwk.objectValue)
        var enc = encryption
        enc["use"] = "enc"
        setup.fetcher.answer(.jwks(.object(JSONObject([("keys", [okp, .object(enc), setup.keys.rsa.jwk])]))))
        let result = try await setup.cache().keySet(forKeyID: "rsa-1")
        #expect(result.keySet.keys.map(\.kid) == ["rsa-1"])
        #expect(result.keySet.refusedKeys == [.unsupportedKeyType("OKP"), .notForSignatures(use: "enc")])
    }

    @Test("an unknown kid forces exactly one refetch, which finds a rotated key")
    func rotation() async throws {
        let setup = try Setup()
        let cache = setup.cache()
        _ = try await cache.keySet(forKeyID: "rsa-1")
        setup.fetcher.answer(.jwks(TestKeys.jwks([setup.keys.rotated, setup.keys.rsa])))
        setup.clock.advance(by: 10)
        let rotated = try await cache.keySet(forKeyID: "rsa-2")
        #expect(rotated.source == .fetched)
        #expect(rotated.keySet.containsKey(withID: "rsa-2"))
        #expect(setup.fetcher.count == 2)
        #expect(try await cache.keySet(forKeyID: "rsa-2").source == .kv)
        #expect(setup.fetcher.count == 2)
        // The rate-limit record: the forced refetch's time, in KV.
        #expect(try await setup.kv.get(cache.refetchKey) == String(Int64(jwtTestStart + 10) * 1000))
        #expect(setup.messages(.info).count == 1)
    }

    @Test("a flood of 100 unknown kids costs one refetch per interval, then one more")
    func flood() async throws {
        let setup = try Setup()
        let cache = setup.cache(.init(forcedRefetchInterval: .seconds(300)))
        _ = try await cache.keySet(forKeyID: "rsa-1")
        for index in 0..<100 {
            let result = try await cache.keySet(forKeyID: "made-up-\(index)")
            #expect(!result.keySet.containsKey(withID: "made-up-\(index)"))
            setup.clock.advance(by: 1)
        }
        #expect(setup.fetcher.count == 2)
        let throttled = try await cache.keySet(forKeyID: "made-up-again")
        #expect(throttled.source == .kv)
        #expect(throttled.note?.contains("a refetch was forced at") == true)
        // Five minutes after the forced refetch (made at +0 s), one more is allowed.
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 299.999))
        _ = try await cache.keySet(forKeyID: "x")
        #expect(setup.fetcher.count == 2)
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 300))
        _ = try await cache.keySet(forKeyID: "y")
        _ = try await cache.keySet(forKeyID: "z")
        #expect(setup.fetcher.count == 3)
        // Known kids were served throughout without a request.
        #expect(try await cache.keySet(forKeyID: "rsa-1").source == .kv)
        #expect(setup.fetcher.count == 3)
    }

    @Test("100 concurrent unknown kids with a memory cache: one refetch, though KV reads and writes interleave")
    func concurrentFlood() async throws {
        let setup = try Setup()
        let memory = JWKSMemoryCache()
        let kv = YieldingKV(base: setup.kv)
        func cache() -> JWKSCache {
            JWKSCache(url: Self.url, kv: kv, fetcher: setup.fetcher, clock: setup.clock, memory: memory)
        }
        _ = try await cache().keySet(forKeyID: "rsa-1")
        let sources = await withTaskGroup(of: JWKSResult.Source?.self) { group in
            for index in 0..<100 {
                group.addTask { try? await cache().keySet(forKeyID: "made-up-\(index)").source }
            }
            return await group.reduce(into: [JWKSResult.Source?]()) { $0.append($1) }
        }
        #expect(setup.fetcher.count == 2)
        #expect(sources.filter { $0 == .fetched }.count == 1)
        #expect(sources.filter { $0 == .kv }.count == 99)
    }

    @Test("an unknown kid during the failure backoff, or a failed forced refetch, serves the fresh set as it is")
    func unknownKidWhileFailing() async throws {
        let setup = try Setup()
        let cache = setup.cache(.init(forcedRefetchInterval: .seconds(10), failureBackoff: .seconds(60)))
        _ = try await cache.keySet(forKeyID: "rsa-1")
        setup.fetcher.answer(.status(502))
        let failed = try await cache.keySet(forKeyID: "rsa-2")
        #expect(failed.source == .kv)
        #expect(failed.note?.contains("answered 502") == true)
        #expect(setup.fetcher.count == 2)
        // Past the refetch interval, within the failure backoff: no request.
        setup.fetcher.answer(.jwks(TestKeys.jwks([setup.keys.rsa, setup.keys.rotated])))
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 30))
        let backingOff = try await cache.keySet(forKeyID: "rsa-2")
        #expect(backingOff.source == .kv)
        #expect(backingOff.note?.contains("the last fetch failed") == true)
        #expect(setup.fetcher.count == 2)
        // After the backoff the forced refetch goes out and finds the key.
        setup.clock.set(Date(timeIntervalSince1970: jwtTestStart + 60))
        #expect(try await cache.keySet(forKeyID: "rsa-2").keySet.containsKey(withID: "rsa-2"))
        #expect(setup.fetcher.count == 3)
    }

    @Test("a corrupt KV entry is ignored and replaced; corrupt rate-limit records do not block")
    func corruptKV() async throws {
        let setup = try Setup()
        let cache = setup.cache()
        let corrupt: [String] = [
            "not json", "{}", #"{"url":"https://other.example","fetchedAt":1,"jwks":{"keys":[]}}"#,
            #"{"url":"\#(Self.url)","fetchedAt":"soon","jwks":{"keys":[]}}"#,
            #"{"url":"\#(Self.url)","fetchedAt":-9223372036854775808,"jwks":{"keys":[]}}"#,
        ]
        for (index, text) in corrupt.enumerated() {
            try await setup.kv.put(cache.recordKey, text)
            try await setup.kv.put(cache.failureKey, "-9223372036854775808")
            #expect(try await cache.keySet(forKeyID: "rsa-1").source == .fetched)
            #expect(setup.fetcher.count == index + 1)
            setup.clock.advance(by: 3600)
        }
        // A record whose time overflows when subtracted is never fresh, never a crash.
        try await setup.kv.put(cache.recordKey, String(decoding: JWKSCache.Record.bytes(url: Self.url, fetchedAt: .min, jwks: setup.keys.jwks), as: UTF8.self))
        try await setup.kv.put(cache.refetchKey, String(Int64.min))
        #expect(try await cache.keySet(forKeyID: "rsa-1").source == .fetched)
        #expect(setup.messages(.warning).count == corrupt.count)
    }

    @Test("the verifier and the cache together: a rotated key verifies after one refetch")
    func verifierWithCache() async throws {
        let setup = try Setup()
        let verifier = JWTVerifier(configuration: .init(issuer: testIssuer), keys: setup.cache(), clock: setup.clock)
        let first = try await verifier.verify(try TestToken.signed(key: setup.keys.rsa))
        #expect(first.keySetSource == .fetched)
        #expect(try await verifier.verify(try TestToken.signed(key: setup.keys.rsa)).keySetSource == .kv)
        setup.fetcher.answer(.jwks(TestKeys.jwks([setup.keys.rsa, setup.keys.rotated])))
        let rotated = try await verifier.verify(try TestToken.signed(key: setup.keys.rotated))
        #expect(rotated.keySetSource == .fetched)
        #expect(rotated.header.keyID == "rsa-2")
        let unknown = try TestToken.signed(key: setup.keys.pss, kid: "ps-9")
        let error = try #require(await jwtError { try await verifier.verify(unknown) })
        #expect(error.code == .unknownKeyID)
        #expect(error.detail.contains("a refetch was forced at"))
        #expect(setup.fetcher.count == 2)
    }

}

extension ScriptedFetcher.Answer: CustomTestStringConvertible {
    /// A short name for the test log (a long body is not printed).
    var testDescription: String {
        switch self {
        case .jwks(let json): return "JWKS " + String(JSONSerializer.string(json).prefix(60))
        case .status(let status): return "status \(status)"
        case .body(let text): return "body of \(text.utf8.count) bytes"
        case .failure(let error): return error.description
        }
    }
}
