import Drover
import DroverKV
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Circuit breaker state in KV")
struct CircuitBreakerKVTests {
    static let configuration = CircuitBreakerConfiguration(
        slidingWindow: .count(4), minimumNumberOfCalls: 4, waitDurationInOpenState: .seconds(30), permittedNumberOfCallsInHalfOpenState: 1)

    @Test("two breakers of one name share one window: the one whose call crosses the threshold opens it for both")
    func sharedWindow() async throws {
        let harness = try BreakerHarness()
        let eventsA = Collected<CircuitBreakerTransition>()
        let eventsB = Collected<CircuitBreakerTransition>()
        let a = harness.breaker(Self.configuration, events: eventsA)
        let b = harness.breaker(Self.configuration, events: eventsB)
        try await harness.make(.failure, through: a)
        try await harness.make(.failure, through: b)
        try await harness.make(.success, through: a)
        #expect(try await b.snapshot().calls == 3)
        try await harness.make(.success, through: b)  // the fourth call: 2 of 4 failed
        #expect(eventsA.all.isEmpty)
        #expect(eventsB.all.map(\.to) == [.open])
        #expect(try await harness.make(.success, through: a) == false)
        #expect(try await a.state() == .open)
    }

    @Test("a transition made by one breaker is seen by the other: half-open trial through B closes A")
    func sharedTransitions() async throws {
        let harness = try BreakerHarness()
        let a = harness.breaker(Self.configuration)
        let b = harness.breaker(Self.configuration)
        try await harness.make(Array(repeating: .failure, count: 4), through: a)
        harness.clock.advance(by: 30)
        #expect(try await harness.make(.success, through: b))
        #expect(try await a.state() == .closed)
        #expect(try await harness.make(.success, through: a))
    }

    @Test("breakers of different names keep different states")
    func namesAreSeparate() async throws {
        let harness = try BreakerHarness()
        let erp = harness.breaker(Self.configuration, name: "erp")
        let crm = harness.breaker(Self.configuration, name: "crm")
        try await harness.make(Array(repeating: .failure, count: 4), through: erp)
        #expect(try await erp.state() == .open)
        #expect(try await crm.state() == .closed)
        #expect(try await harness.make(.success, through: crm))
        #expect(erp.key == "circuit-breaker:erp")
    }

    @Test("the state is JSON under the breaker's key")
    func storedJSON() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.configuration)
        try await harness.make([.failure, .success], through: breaker)
        let stored = try #require(try await harness.kv.getJSON("circuit-breaker:erp"))
        #expect(stored["state"] == "closed")
        #expect(stored["calls"] == "fs")
        #expect(stored["version"] == 1)
        #expect(stored["since"]?.integerValue == Int64(testStart.timeIntervalSince1970 * 1000))
        try await harness.make([.failure, .failure], through: breaker)
        #expect(try await harness.kv.getJSON("circuit-breaker:erp")?["state"] == "open")
    }

    static let corruptValues: [String] = [
        "not json",
        "[]",
        "{}",
        #"{"version":2,"state":"closed","since":0,"generation":0,"forced":false,"calls":"","buckets":[],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"sideways","since":0,"generation":0,"forced":false,"calls":"","buckets":[],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"open","since":-5,"generation":0,"forced":false,"calls":"","buckets":[],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"closed","since":0,"generation":0,"forced":false,"calls":"ffxq","buckets":[],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"closed","since":0,"generation":0,"forced":false,"calls":"","buckets":[[1,2,3,0]],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"closed","since":0,"generation":0,"forced":false,"calls":"","buckets":[[1,2]],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"half_open","since":0,"generation":0,"forced":false,"calls":"","buckets":[],"trialsIssued":-1,"trials":""}"#,
        #"{"version":1,"state":"closed","since":1e300,"generation":0,"forced":false,"calls":"","buckets":[],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"closed","since":0,"generation":0,"forced":false,"calls":"","buckets":[[1,9223372036854775807,0,0]],"trialsIssued":0,"trials":""}"#,
        #"{"version":1,"state":"closed","since":0,"generation":-1,"forced":false,"calls":"","buckets":[],"trialsIssued":0,"trials":""}"#,
        String(repeating: "f", count: 300_000),
    ]

    @Test("control for the corrupt values: the same record with sane values is read as it is")
    func saneRecord() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.configuration)
        try await harness.kv.put(
            breaker.key,
            #"{"version":1,"state":"closed","since":0,"generation":7,"forced":false,"calls":"fff","buckets":[[1,2,1,0]],"trialsIssued":0,"trials":""}"#)
        #expect(try await breaker.snapshot().failedCalls == 3)
        try await harness.make(.failure, through: breaker)
        #expect(try await breaker.state() == .open)
        #expect(!harness.logs.all.contains { $0.message.contains("corrupt") })
        #expect(try await harness.kv.getJSON(breaker.key)?["generation"] == 8)
    }

    @Test("a corrupt state is treated as closed, logged, and overwritten — never a crash", arguments: corruptValues)
    func corruptState(value: String) async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.configuration)
        try await harness.kv.put(breaker.key, value)
        #expect(try await harness.make(.failure, through: breaker))
        let warnings = harness.logs.all.filter { $0.level == .warning && $0.message.contains("corrupt") }
        #expect(warnings.count == 1)
        let stored = try #require(try await harness.kv.getJSON(breaker.key))
        #expect(stored["state"] == "closed")
        #expect(stored["calls"] == "f")
        #expect(harness.events.all.isEmpty)
    }

    @Test("a snapshot of a corrupt state reads closed and logs, without writing")
    func corruptSnapshot() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.configuration)
        try await harness.kv.put(breaker.key, "{")
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.calls) == (.closed, 0))
        #expect(harness.logs.all.contains { $0.level == .warning && $0.message.contains("corrupt") })
        #expect(try await harness.kv.get(breaker.key) == "{")
    }

    @Test("an unreachable KV lets calls through uncounted and logs; operator calls throw its error")
    func unreachableKV() async throws {
        let clock = RecordingClock()
        let logs = MemoryLogSink()
        let breaker = CircuitBreaker(
            name: "erp", configuration: Self.configuration, kv: UnreachableKV(), clock: clock,
            logger: Logger(label: "test", sink: logs, clock: clock))
        for _ in 0..<5 {
            let value = try await breaker.run { 7 }
            #expect(value == 7)
        }
        #expect(logs.all.filter { $0.level == .error && $0.message.contains("cannot read") }.count == 5)
        await #expect(throws: KVError.self) { _ = try await breaker.snapshot() }
        await #expect(throws: KVError.self) { try await breaker.reset() }
        await #expect(throws: KVError.self) { try await breaker.forceOpen() }
    }

    @Test("a state left by another configuration is trimmed to this one's window, not treated as corrupt")
    func otherConfiguration() async throws {
        let harness = try BreakerHarness()
        let wide = harness.breaker(CircuitBreakerConfiguration(slidingWindow: .count(10), minimumNumberOfCalls: 10))
        try await harness.make([.failure, .failure, .failure, .success, .success, .success], through: wide)
        let narrow = harness.breaker(Self.configuration)
        // The last four of the six: f s s s, then f: s s s f — 25%.
        #expect(try await narrow.snapshot().failedCalls == 1)
        try await harness.make(.failure, through: narrow)
        #expect(try await narrow.state() == .closed)
        #expect(!harness.logs.all.contains { $0.message.contains("corrupt") })
    }
}
