import Drover
import Foundation

/// Cache-aside over a KV namespace, with stale-while-revalidate and stale-if-error (RFC 5861):
/// upstream reads are answered from KV while fresh, answered stale while a background fetch
/// refreshes them, and fetched in line only when there is no usable copy.
///
/// ```swift
/// let cache = CacheAside(kv: try env.kv("CACHE"), clock: env.clock, context: ctx)
/// let product = try await cache.get("product:\(id)", as: Product.self, freshFor: .seconds(60), staleFor: .seconds(600)) {
///     try await env.fetch.fetch(try Request(url: "\(api)/products/\(id).json")).json(as: Product.self)
/// }.value
/// ```
///
/// For ``get(_:as:freshFor:staleFor:staleIfErrorFor:fetch:)``, with the entry's age measured on
/// the injected clock:
///
/// | the entry | answer | fetch |
/// |---|---|---|
/// | younger than `freshFor` | the copy, `.fresh` | none |
/// | within `staleFor` after that | the copy, `.stale` | in the background, through `waitUntil`; one per key at a time in this process |
/// | missing, older, unreadable | the fetched value, `.fetched` | in line; the value is stored |
/// | older, and the fetch fails, within `staleIfErrorFor` | the copy, `.staleAfterError` (logged as a warning) | — |
///
/// Entries are JSON (`{"fetchedAt", "freshUntil", "staleUntil", "errorUntil", "value"}`, instants
/// in microseconds) with a KV `expirationTtl` covering the longest period, at least 60 s (the
/// platform's minimum); the periods themselves are checked against the clock, to the microsecond.
/// A background fetch that fails is logged and leaves the stale copy in place.
///
/// **Consistency.** On the Workers platform KV reads are cached per location and writes take up
/// to 60 s or more to propagate, so a refreshed entry reaches other locations late; that suits
/// what cache-aside holds (reads an upstream can answer slightly stale), not state that must agree
/// everywhere. Within one Drover process KV is strongly consistent and the cache is exact.
public struct CacheAside: Sendable {
    /// Schedules background work past the response: the shape of ``ExecutionContext/waitUntil(_:)``.
    public typealias BackgroundScheduler = @Sendable (_ work: @escaping @Sendable () async throws -> Void) -> Void

    /// The prefix of every entry's KV key.
    public let keyPrefix: String

    private let kv: any KVNamespace
    private let clock: any WallClock
    private let logger: Logger
    private let background: BackgroundScheduler

    /// A cache in `kv` whose background fetches run through `context.waitUntil` and log to
    /// `context.logger`.
    /// - Parameters:
    ///   - kv: where entries live (e.g. `env.kv("CACHE")`).
    ///   - clock: the only clock read: `env.clock`.
    ///   - context: the invocation's context.
    ///   - keyPrefix: prepended to each key; `cache:` by default.
    public init(kv: any KVNamespace, clock: any WallClock, context: ExecutionContext, keyPrefix: String = "cache:") {
        self.init(kv: kv, clock: clock, keyPrefix: keyPrefix, logger: context.logger) { work in context.waitUntil(work) }
    }

    /// A cache in `kv` whose background fetches are handed to `background` (in a worker,
    /// `ctx.waitUntil`; in a test, a closure that keeps the work to run it when it chooses).
    /// - Parameters:
    ///   - kv: where entries live.
    ///   - clock: the only clock read: `env.clock`.
    ///   - keyPrefix: prepended to each key; `cache:` by default.
    ///   - logger: where failed fetches answered from a stale copy are reported.
    ///   - background: runs a refresh after the response.
    public init(
        kv: any KVNamespace,
        clock: any WallClock,
        keyPrefix: String = "cache:",
        logger: Logger = .disabled,
        background: @escaping BackgroundScheduler
    ) {
        self.kv = kv
        self.clock = clock
        self.keyPrefix = keyPrefix
        self.logger = logger
        self.background = background
    }

    /// The value under `key`: cached, cached while refreshed in the background, or fetched (see
    /// the type's table).
    /// - Parameters:
    ///   - key: the entry's name; its KV key is ``keyPrefix`` + `key`.
    ///   - freshFor: how long a fetched value is answered as it is.
    ///   - staleFor: how long after that it is answered while a background fetch refreshes it;
    ///     zero (the default) for none.
    ///   - staleIfErrorFor: how long after the fresh period a copy is answered when the fetch
    ///     fails; zero (the default) for never.
    ///   - fetch: reads the upstream; runs in line or, for a stale entry, in the background.
    /// - Throws: what `fetch` throws when there is no copy to fall back on; the KV binding's errors
    ///   on reading. A failure to store a fetched value is logged, not thrown.
    public func get<Value: Codable & Sendable>(
        _ key: String,
        as type: Value.Type = Value.self,
        freshFor: Duration,
        staleFor: Duration = .zero,
        staleIfErrorFor: Duration = .zero,
        fetch: @escaping @Sendable () async throws -> Value
    ) async throws -> CachedValue<Value> {
        let entryKey = keyPrefix + key
        let periods = Periods(fresh: freshFor, stale: staleFor, staleIfError: staleIfErrorFor)
        let now = Microseconds.of(clock.now())
        let entry: CacheEntry<Value>? = try await read(entryKey)
        if let entry, now < entry.freshUntil {
            return CachedValue(value: entry.value, status: .fresh, fetchedAt: Microseconds.date(entry.fetchedAt))
        }
        if let entry, now < entry.staleUntil {
            revalidate(entryKey, periods: periods, fetch: fetch)
            return CachedValue(value: entry.value, status: .stale, fetchedAt: Microseconds.date(entry.fetchedAt))
        }
        let value: Value
        do {
            value = try await fetch()
        } catch {
            let now = Microseconds.of(clock.now())
            guard let entry, now < entry.errorUntil, !(error is CancellationError) else { throw error }
            logger.warning("cache \(entryKey): fetch failed, answering the copy fetched at \(Microseconds.date(entry.fetchedAt)): \(error)")
            return CachedValue(value: entry.value, status: .staleAfterError, fetchedAt: Microseconds.date(entry.fetchedAt), fetchError: error)
        }
        let fetchedAt = Microseconds.of(clock.now())
        do {
            try await store(value, at: entryKey, fetchedAt: fetchedAt, periods: periods)
        } catch {
            logger.warning("cache \(entryKey): could not store the fetched value: \(error)")
        }
        return CachedValue(value: value, status: .fetched, fetchedAt: Microseconds.date(fetchedAt))
    }

    /// Removes the entry under `key`, so the next ``get(_:as:freshFor:staleFor:staleIfErrorFor:fetch:)``
    /// fetches.
    /// - Throws: the KV binding's errors.
    public func invalidate(_ key: String) async throws {
        try await kv.delete(keyPrefix + key)
    }

    /// The three periods of an entry, in microseconds.
    private struct Periods: Sendable {
        let fresh: Int64
        let stale: Int64
        let staleIfError: Int64

        init(fresh: Duration, stale: Duration, staleIfError: Duration) {
            self.fresh = max(0, Microseconds.of(fresh))
            self.stale = max(0, Microseconds.of(stale))
            self.staleIfError = max(0, Microseconds.of(staleIfError))
        }
    }

    /// Schedules a background fetch of `entryKey` unless this process is already running one.
    private func revalidate<Value: Codable & Sendable>(_ entryKey: String, periods: Periods, fetch: @escaping @Sendable () async throws -> Value) {
        guard RevalidationsInFlight.shared.begin(entryKey, in: kv) else { return }
        let cache = self
        background {
            defer { RevalidationsInFlight.shared.end(entryKey, in: cache.kv) }
            do {
                let value = try await fetch()
                try await cache.store(value, at: entryKey, fetchedAt: Microseconds.of(cache.clock.now()), periods: periods)
            } catch {
                cache.logger.warning("cache \(entryKey): background refresh failed, the stale copy stays: \(error)")
            }
        }
    }

    /// The entry under `entryKey`; `nil` when absent or unreadable (it is then fetched again).
    private func read<Value: Codable>(_ entryKey: String) async throws -> CacheEntry<Value>? {
        guard let bytes = try await kv.getBytes(entryKey) else { return nil }
        return try? JSONDecoder().decode(CacheEntry<Value>.self, from: Data(bytes))
    }

    private func store<Value: Codable>(_ value: Value, at entryKey: String, fetchedAt: Int64, periods: Periods) async throws {
        let freshUntil = Microseconds.adding(fetchedAt, periods.fresh)
        let entry = CacheEntry(
            fetchedAt: fetchedAt,
            freshUntil: freshUntil,
            staleUntil: Microseconds.adding(freshUntil, periods.stale),
            errorUntil: Microseconds.adding(freshUntil, periods.staleIfError),
            value: value
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let lifetime = Microseconds.adding(periods.fresh, max(periods.stale, periods.staleIfError))
        try await kv.put(
            entryKey,
            value: Array(try encoder.encode(entry)),
            options: KVPutOptions(expirationTtl: Microseconds.kvTTL(covering: lifetime))
        )
    }
}
