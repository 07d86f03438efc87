import Drover
import Foundation
import Synchronization
import Testing

@testable import DroverIntegrationKit

/// Cache-aside with stale-while-revalidate on a real file-backed KV and a manual clock, with a
/// scripted upstream that counts its fetches and background work the test runs when it chooses.
@Suite("Cache-aside")
struct CacheAsideTests {
    struct Product: Codable, Equatable {
        var title: String
        var version: Int
    }

    /// An upstream that answers version 1, 2, 3… or fails when told to.
    final class Upstream: Sendable {
        private let state = Mutex((fetches: 0, failing: false))

        var fetches: Int { state.withLock { $0.fetches } }

        func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }

        func fetch() throws -> Product {
            let (count, failing) = state.withLock { state -> (Int, Bool) in
                state.fetches += 1
                return (state.fetches, state.failing)
            }
            if failing { throw HTTPError(503, "upstream down") }
            return Product(title: "Lamp", version: count)
        }
    }

    /// Background work kept until the test runs it.
    final class Background: Sendable {
        private let work = Mutex<[@Sendable () async throws -> Void]>([])

        var pending: Int { work.withLock { $0.count } }

        func schedule(_ job: @escaping @Sendable () async throws -> Void) {
            work.withLock { $0.append(job) }
        }

        func runAll() async throws {
            let jobs = work.withLock { jobs in
                defer { jobs.removeAll() }
                return jobs
            }
            for job in jobs { try await job() }
        }
    }

    struct Fixture {
        let namespace: StateTestNamespace
        let upstream = Upstream()
        let background = Background()
        let logs = MemoryLogSink()
        let cache: CacheAside

        init() throws {
            let namespace = try StateTestNamespace()
            self.namespace = namespace
            let background = self.background
            cache = CacheAside(
                kv: namespace.kv,
                clock: namespace.clock,
                logger: Logger(label: "cache", sink: logs, clock: namespace.clock)
            ) { work in background.schedule(work) }
        }

        func get(fresh: Duration = .seconds(60), stale: Duration = .seconds(600), ifError: Duration = .zero) async throws -> CachedValue<Product> {
            let upstream = self.upstream
            return try await cache.get("product:1", as: Product.self, freshFor: fresh, staleFor: stale, staleIfErrorFor: ifError) {
                try upstream.fetch()
            }
        }
    }

    @Test("a miss fetches and stores; within the fresh period the copy is answered without fetching")
    func missThenFresh() async throws {
        let fixture = try Fixture()
        let first = try await fixture.get()
        #expect(first.value == Product(title: "Lamp", version: 1))
        #expect(first.status == .fetched)
        #expect(first.fetchedAt == StateTestNamespace.start)
        fixture.namespace.clock.advance(by: 59.999_999)
        let second = try await fixture.get()
        #expect(second.status == .fresh)
        #expect(second.value.version == 1)
        #expect(fixture.upstream.fetches == 1)
        #expect(fixture.background.pending == 0)
    }

    @Test("a stale copy is answered at once and refreshed in the background, one refresh per key")
    func staleWhileRevalidate() async throws {
        let fixture = try Fixture()
        _ = try await fixture.get()
        fixture.namespace.clock.advance(by: 60)  // the fresh period ends at exactly 60 s
        let stale = try await fixture.get()
        #expect(stale.status == .stale)
        #expect(stale.value.version == 1)
        #expect(try await fixture.get().status == .stale)
        #expect(fixture.background.pending == 1)
        #expect(fixture.upstream.fetches == 1)
        try await fixture.background.runAll()
        #expect(fixture.upstream.fetches == 2)
        let refreshed = try await fixture.get()
        #expect(refreshed.status == .fresh)
        #expect(refreshed.value.version == 2)
        #expect(refreshed.fetchedAt == StateTestNamespace.start.addingTimeInterval(60))
    }

    @Test("past the stale period the value is fetched in line")
    func expiredFetchesInLine() async throws {
        let fixture = try Fixture()
        _ = try await fixture.get()
        fixture.namespace.clock.advance(by: 660)
        let value = try await fixture.get()
        #expect(value.status == .fetched)
        #expect(value.value.version == 2)
        #expect(fixture.background.pending == 0)
    }

    @Test("a failed fetch answers the old copy within stale-if-error, says so and logs it; later it throws")
    func staleIfError() async throws {
        let fixture = try Fixture()
        _ = try await fixture.get(stale: .zero, ifError: .seconds(3_600))
        fixture.upstream.fail(true)
        fixture.namespace.clock.advance(by: 120)
        let value = try await fixture.get(stale: .zero, ifError: .seconds(3_600))
        #expect(value.status == .staleAfterError)
        #expect(value.value.version == 1)
        #expect((value.fetchError as? HTTPError)?.status == 503)
        #expect(fixture.logs.all.contains { $0.level == .warning && $0.message.contains("fetch failed") })
        fixture.namespace.clock.advance(by: 3_600 - 60)  // 60 s fresh + 3 600 s: the copy is done
        await #expect(throws: HTTPError.self) { try await fixture.get(stale: .zero, ifError: .seconds(3_600)) }
        #expect(fixture.upstream.fetches == 3)
    }

    @Test("a failed fetch without a copy throws the fetch's error")
    func failureWithoutCopy() async throws {
        let fixture = try Fixture()
        fixture.upstream.fail(true)
        let error = try await #require(throws: HTTPError.self) { try await fixture.get(ifError: .seconds(3_600)) }
        #expect(error.status == 503)
        #expect(try await fixture.namespace.kv.get("cache:product:1") == nil)
    }

    @Test("a failed background refresh keeps the stale copy, logs, and lets the next request try again")
    func backgroundFailure() async throws {
        let fixture = try Fixture()
        _ = try await fixture.get()
        fixture.namespace.clock.advance(by: 61)
        fixture.upstream.fail(true)
        #expect(try await fixture.get().status == .stale)
        try await fixture.background.runAll()
        #expect(fixture.logs.all.contains { $0.level == .warning && $0.message.contains("background refresh failed") })
        fixture.upstream.fail(false)
        #expect(try await fixture.get().status == .stale)
        #expect(fixture.background.pending == 1)
        try await fixture.background.runAll()
        #expect(try await fixture.get().value.version == 3)
    }

    @Test("entries are JSON with their periods in µs, and ask KV for at least 60 s")
    func storedEntry() async throws {
        let fixture = try Fixture()
        _ = try await fixture.get(fresh: .seconds(10), stale: .seconds(20))
        let short = try #require(try await fixture.namespace.kv.getWithMetadata("cache:product:1"))
        #expect(short.expiration == Int64(1_767_225_660))
        let record = try JSONParser.parse(short.value)
        #expect(record["fetchedAt"] == .integer(1_767_225_600_000_000))
        #expect(record["freshUntil"] == .integer(1_767_225_610_000_000))
        #expect(record["staleUntil"] == .integer(1_767_225_630_000_000))
        #expect(record["value"]?["title"] == "Lamp")
        try await fixture.cache.invalidate("product:1")
        _ = try await fixture.get(fresh: .seconds(100), stale: .seconds(200), ifError: .seconds(50))
        let long = try #require(try await fixture.namespace.kv.getWithMetadata("cache:product:1"))
        #expect(long.expiration == Int64(1_767_225_900))
    }

    @Test("an entry that does not decode is fetched again")
    func corruptEntry() async throws {
        let fixture = try Fixture()
        try await fixture.namespace.kv.put("cache:product:1", #"{"value": "not a product"}"#)
        let value = try await fixture.get()
        #expect(value.status == .fetched)
        #expect(try await fixture.get().status == .fresh)
    }

    @Test("with an ExecutionContext, the refresh runs through waitUntil")
    func executionContext() async throws {
        let namespace = try StateTestNamespace()
        let context = ExecutionContext(logger: .disabled)
        let cache = CacheAside(kv: namespace.kv, clock: namespace.clock, context: context)
        let upstream = Upstream()
        let get = { try await cache.get("k", freshFor: .seconds(1), staleFor: .seconds(60)) { try upstream.fetch() } }
        _ = try await get()
        namespace.clock.advance(by: 2)
        #expect(try await get().status == .stale)
        await context.waitForBackgroundWork()
        #expect(upstream.fetches == 2)
        #expect(try await get().value.version == 2)
    }
}
