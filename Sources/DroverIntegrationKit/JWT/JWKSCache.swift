import Drover
import Foundation

/// An issuer's JWKS, fetched from its URL and kept in a KV namespace, so every request of every
/// process shares one copy and the issuer is asked rarely: jose's `createRemoteJWKSet`, with its
/// state in KV instead of a module variable.
///
/// ```swift
/// static let memory = JWKSMemoryCache()   // optional, in front of KV
/// let keys = JWKSCache(url: "https://clerk.example.com/.well-known/jwks.json", kv: try env.kv("CACHE"),
///                      env: env, logger: ctx.logger, memory: Self.memory)
/// ```
///
/// For `keySet(forKeyID:)`, with the times of ``Configuration``:
/// - **Fresh copy.** A set fetched less than the time to live ago, that has the `kid`, is served
///   from the ``JWKSMemoryCache`` when one is given and holds it for this KV namespace, else from KV.
/// - **Expired or absent.** Past the time to live (or with no copy) the set is fetched, stored in
///   KV with its fetch time (the entry expires after time to live plus stale-if-error), and served.
/// - **Fetch failure.** When the fetch fails (transport error, a status other than 200, a body that
///   is not a usable JWKS), the KV copy is served as ``JWKSResult/Source/stale`` with the reason in
///   ``JWKSResult/note`` and a warning in the log; without a copy the call throws
///   ``JWTError/Code/jwksUnavailable``. Either way no fetch is tried again for the failure backoff
///   (a `:failure` KV record).
/// - **Unknown `kid`.** When a fresh set lacks the `kid` (the issuer may have rotated its keys),
///   one refetch is forced — unless one was forced within the forced-refetch interval, which a
///   `:refetch` KV record remembers per URL; then the set is returned as it is and the verifier
///   refuses the token. So a flood of made-up `kid`s costs the issuer one request per interval.
/// - **One fetch at a time.** With a ``JWKSMemoryCache``, a task that finds a fetch of the URL
///   already under way in the process does not fetch too, but serves the copy it has (a request
///   with no copy at all still fetches).
///
/// Time is read from the injected clock only; KV errors are logged and treated as a missing entry.
/// KV is eventually consistent on the platform (a write may take up to 60 s to be seen elsewhere),
/// so several processes may each refetch once within an interval; one process never does.
public struct JWKSCache: JWKSProvider {
    /// The JWKS URL (`https://<issuer>/.well-known/jwks.json`).
    public let url: String
    /// Where the set and the rate-limit records are kept.
    public let kv: any KVNamespace
    /// The outbound fetch (`env.fetch`).
    public let fetcher: any Fetcher
    /// The clock (`env.clock`).
    public let clock: any WallClock
    /// Where fetches, failures and stale copies are logged.
    public let logger: Logger
    /// Times and limits.
    public let configuration: Configuration
    /// The optional in-process copy in front of KV.
    public let memory: JWKSMemoryCache?
    /// `kv`'s identity, which scopes the memory copy.
    let namespace: NamespaceIdentity
    /// The KV key of the set: the prefix and the SHA-256 of the URL, in hex. Worked out when KV is
    /// read or written, not when the cache is made: a set served from the memory copy needs no key.
    var recordKey: String {
        let digits = Array("0123456789abcdef".utf8)
        let hex = Crypto.sha256(url.utf8).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }
        return configuration.keyPrefix + String(decoding: hex, as: UTF8.self)
    }

    /// A cache of the JWKS at `url` in `kv`, fetched with `fetcher`, timed by `clock`.
    public init(
        url: String,
        kv: any KVNamespace,
        fetcher: any Fetcher,
        clock: any WallClock,
        logger: Logger = .disabled,
        configuration: Configuration = Configuration(),
        memory: JWKSMemoryCache? = nil
    ) {
        self.url = url
        self.kv = kv
        self.fetcher = fetcher
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.memory = memory
        self.namespace = NamespaceIdentity(kv)
    }

    /// A cache that fetches with `env.fetch` and reads `env.clock`.
    public init(
        url: String,
        kv: any KVNamespace,
        env: Env,
        logger: Logger = .disabled,
        configuration: Configuration = Configuration(),
        memory: JWKSMemoryCache? = nil
    ) {
        self.init(url: url, kv: kv, fetcher: env.fetch, clock: env.clock, logger: logger, configuration: configuration, memory: memory)
    }

    /// The KV key of the last forced refetch's time.
    var refetchKey: String { recordKey + ":refetch" }
    /// The KV key of the last failed fetch's time.
    var failureKey: String { recordKey + ":failure" }

    /// The set in which to look for `keyID`: see the type's documentation for when it is fetched.
    /// - Throws: ``JWTError/Code/jwksUnavailable`` when there is no copy and fetching fails or is
    ///   backing off after a failure.
    public func keySet(forKeyID keyID: String) async throws(JWTError) -> JWKSResult {
        let now = clock.nowMilliseconds()
        if let entry = memory?.entry(for: url, in: namespace), isFresh(entry.fetchedAt, now: now), entry.keySet.containsKey(withID: keyID) {
            return JWKSResult(keySet: entry.keySet, source: .memory, fetchedAt: Self.date(entry.fetchedAt))
        }
        let record = await readRecord()
        if let record, isFresh(record.fetchedAt, now: now) {
            memory?.store(JWKSMemoryCache.Entry(keySet: record.keySet, fetchedAt: record.fetchedAt), for: url, in: namespace)
            if record.keySet.containsKey(withID: keyID) {
                return JWKSResult(keySet: record.keySet, source: .kv, fetchedAt: Self.date(record.fetchedAt))
            }
            return try await fetch(copy: record, forcedBy: keyID, now: now)
        }
        return try await fetch(copy: record, forcedBy: nil, now: now)
    }

    /// Fetches the set, unless a fetch is under way in the process, the last one failed within the
    /// backoff, or — for a refetch `forcedBy` an unknown `kid` — one was forced within the interval;
    /// then `copy` is served.
    private func fetch(copy: Record?, forcedBy keyID: String?, now: Int64) async throws(JWTError) -> JWKSResult {
        if copy != nil, let memory {
            guard memory.beginFetch(url) else { return try serve(copy, now: now, note: "a fetch of the JWKS is already under way in this process") }
        }
        defer { if copy != nil { memory?.endFetch(url) } }
        let backoff = Self.milliseconds(configuration.failureBackoff)
        if let failedAt = await readTime(failureKey), let since = Self.elapsed(from: failedAt, to: now), since < backoff {
            return try serve(copy, now: now, note: "the last fetch failed at \(Self.date(failedAt)); the next is tried after \(Self.date(Self.later(failedAt, by: backoff)))")
        }
        if let keyID {
            let interval = Self.milliseconds(configuration.forcedRefetchInterval)
            if let last = await readTime(refetchKey), let since = Self.elapsed(from: last, to: now), since < interval {
                return try serve(
                    copy, now: now,
                    note: "kid \(JWTError.quoted(keyID)) is unknown but a refetch was forced at \(Self.date(last)); the next may be at \(Self.date(Self.later(last, by: interval)))")
            }
            await writeTime(refetchKey, now, for: configuration.forcedRefetchInterval)
            logger.info("JWKS: refetching \(url): kid \(JWTError.quoted(keyID)) is not in the set", metadata: ["jwks_url": url])
        }
        let fetched: (json: JSONValue, keySet: JSONWebKeySet)
        do {
            fetched = try await download()
        } catch {
            if !Task.isCancelled { await writeTime(failureKey, now, for: configuration.failureBackoff) }
            logger.warning(
                "JWKS: \(error.detail)" + (copy.map { "; serving the copy fetched at \(Self.date($0.fetchedAt))" } ?? "; no copy to serve"),
                metadata: ["jwks_url": url])
            return try serve(copy, now: now, note: error.detail)
        }
        let fetchedAt = clock.nowMilliseconds()
        await writeRecord(fetched.json, fetchedAt: fetchedAt)
        memory?.store(JWKSMemoryCache.Entry(keySet: fetched.keySet, fetchedAt: fetchedAt), for: url, in: namespace)
        logger.debug("JWKS: fetched \(url): \(fetched.keySet.keys.count) keys", metadata: ["jwks_url": url])
        return JWKSResult(keySet: fetched.keySet, source: .fetched, fetchedAt: Self.date(fetchedAt))
    }

    /// `copy` as a result that says why it was not refetched: `kv` while fresh, `stale` after.
    private func serve(_ copy: Record?, now: Int64, note: String) throws(JWTError) -> JWKSResult {
        guard let copy else { throw JWTError(.jwksUnavailable, "no copy of the JWKS at \(url): \(note)") }
        let source: JWKSResult.Source = isFresh(copy.fetchedAt, now: now) ? .kv : .stale
        return JWKSResult(keySet: copy.keySet, source: source, fetchedAt: Self.date(copy.fetchedAt), note: note)
    }

    /// GET the URL: a 200 whose body is a JWKS with a usable key, or the reason it is not.
    private func download() async throws(JWTError) -> (json: JSONValue, keySet: JSONWebKeySet) {
        let response: Response
        let bytes: [UInt8]
        do {
            response = try await fetcher.fetch(url, headers: ["Accept": "application/json"], timeout: configuration.fetchTimeout)
            guard response.status == 200 else {
                throw JWTError(.jwksUnavailable, "GET \(url) answered \(response.status)")
            }
            bytes = try await response.body.bytes(limit: configuration.maximumResponseBytes)
        } catch let error as JWTError {
            throw error
        } catch BodyError.tooLarge(let limit) {
            throw JWTError(.jwksUnavailable, "GET \(url): the body is longer than \(limit) bytes")
        } catch {
            throw JWTError(.jwksUnavailable, "GET \(url) failed: \(error)")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw JWTError(.invalidKeySet, "GET \(url): the body is not JSON: \(error.description)")
        }
        do {
            return (json, try JSONWebKeySet(json))
        } catch {
            throw JWTError(error.code, "GET \(url): \(error.detail)")
        }
    }

    /// Whether a set fetched at `fetchedAt` is within its time to live at `now`.
    private func isFresh(_ fetchedAt: Int64, now: Int64) -> Bool {
        guard let age = Self.elapsed(from: fetchedAt, to: now) else { return false }
        return age >= 0 && age < Self.milliseconds(configuration.timeToLive)
    }

    /// `end - start`, or nil when it overflows (a corrupt time in KV).
    private static func elapsed(from start: Int64, to end: Int64) -> Int64? {
        let difference = end.subtractingReportingOverflow(start)
        return difference.overflow ? nil : difference.partialValue
    }

    /// `start + duration`, at most `Int64.max`.
    private static func later(_ start: Int64, by duration: Int64) -> Int64 {
        let sum = start.addingReportingOverflow(duration)
        return sum.overflow ? (duration > 0 ? .max : .min) : sum.partialValue
    }

    /// A time in milliseconds since the epoch as a date.
    private static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
