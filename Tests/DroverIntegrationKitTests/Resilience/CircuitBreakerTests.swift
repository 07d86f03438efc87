import Drover
import DroverKV
import DroverTestSupport
import Foundation
import Testing

@testable import DroverIntegrationKit

/// A KV namespace on a recording manual clock, breakers on it, and what they report.
struct BreakerHarness {
    let clock = RecordingClock()
    let storage: TemporaryKV
    let events = Collected<CircuitBreakerTransition>()
    let logs = MemoryLogSink()

    init() throws {
        storage = try TemporaryKV(clock: clock)
    }

    var kv: any KVNamespace { storage.kv }

    func breaker(_ configuration: CircuitBreakerConfiguration, name: String = "erp", events: Collected<CircuitBreakerTransition>? = nil) -> CircuitBreaker {
        let sink = events ?? self.events
        return CircuitBreaker(
            name: name, configuration: configuration, kv: kv, clock: clock,
            logger: Logger(label: "test", level: .debug, sink: logs, clock: clock),
            onStateTransition: { sink.append($0) })
    }

    /// What the harness's events say, as (from, to, reason).
    var transitions: [String] {
        events.all.map { "\($0.from)->\($0.to) \($0.reason)" }
    }
}

/// A call made through a breaker in the tests.
enum TestCall {
    case success
    case failure
    /// Succeeds after `seconds` on the clock.
    case slow(TimeInterval)
    /// Fails after `seconds` on the clock.
    case slowFailure(TimeInterval)
}

extension BreakerHarness {
    /// Makes `call` through `breaker`; returns whether the breaker let it run.
    @discardableResult
    func make(_ call: TestCall, through breaker: CircuitBreaker) async throws -> Bool {
        var ran = false
        do {
            _ = try await breaker.run { () async throws -> Int in
                ran = true
                switch call {
                case .success: return 1
                case .failure: throw FetchError(kind: .connection, message: "refused")
                case .slow(let seconds):
                    clock.advance(by: seconds)
                    return 1
                case .slowFailure(let seconds):
                    clock.advance(by: seconds)
                    throw FetchError(kind: .timeout, message: "too slow")
                }
            }
        } catch let error as ResilienceError where error.code == .circuitOpen {
            #expect(!ran)
            return false
        } catch is FetchError {}
        return ran
    }

    func make(_ calls: [TestCall], through breaker: CircuitBreaker) async throws {
        for call in calls {
            #expect(try await make(call, through: breaker), "a call was refused")
        }
    }
}

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    static let countOfFour = CircuitBreakerConfiguration(
        failureRateThreshold: 50, slidingWindow: .count(4), minimumNumberOfCalls: 4, waitDurationInOpenState: .seconds(30),
        permittedNumberOfCallsInHalfOpenState: 2)

    @Test("count window: opens on the call that brings the failure rate to the threshold, not before")
    func countWindowThreshold() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await harness.make([.failure, .success, .failure], through: breaker)
        let before = try await breaker.snapshot()
        #expect(before.state == .closed)
        #expect((before.calls, before.failedCalls, before.failureRate) == (3, 2, nil))
        try await harness.make(.success, through: breaker)
        #expect(try await breaker.state() == .open)
        #expect(harness.transitions == ["closed->open failureRateExceeded(50.0)"])
        #expect(try await harness.make(.success, through: breaker) == false)
    }

    @Test("count window: below the threshold it stays closed, and the oldest call slides out")
    func countWindowSlides() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await harness.make([.success, .success, .success, .failure], through: breaker)
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.calls, snapshot.failedCalls, snapshot.failureRate) == (.closed, 4, 1, 25))
        // s s s f + f: the first s slides out, leaving s s f f — 50%.
        try await harness.make(.failure, through: breaker)
        #expect(try await breaker.state() == .open)
        #expect(harness.events.all.count == 1)
    }

    @Test("minimum number of calls: no rate counts before it, the call that reaches it can open")
    func minimumNumberOfCalls() async throws {
        let harness = try BreakerHarness()
        let configuration = CircuitBreakerConfiguration(slidingWindow: .count(10), minimumNumberOfCalls: 5)
        let breaker = harness.breaker(configuration)
        try await harness.make(Array(repeating: .failure, count: 4), through: breaker)
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.calls, snapshot.failureRate) == (.closed, 4, nil))
        try await harness.make(.failure, through: breaker)
        #expect(try await breaker.state() == .open)
        #expect(harness.transitions == ["closed->open failureRateExceeded(100.0)"])
    }

    @Test("with a count window, a minimum above the window's size is the window's size (as resilience4j)")
    func minimumCappedByCountWindow() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(CircuitBreakerConfiguration(slidingWindow: .count(3), minimumNumberOfCalls: 100))
        try await harness.make([.failure, .failure], through: breaker)
        #expect(try await breaker.state() == .closed)
        try await harness.make(.failure, through: breaker)
        #expect(try await breaker.state() == .open)
    }

    @Test("time window: a call counts for exactly its window of seconds, calls of a second share a bucket")
    func timeWindow() async throws {
        let harness = try BreakerHarness()
        let configuration = CircuitBreakerConfiguration(slidingWindow: .time(seconds: 10), minimumNumberOfCalls: 4)
        let breaker = harness.breaker(configuration)
        try await harness.make([.failure, .failure], through: breaker)
        harness.clock.advance(by: 9)
        #expect(try await breaker.snapshot().calls == 2)
        harness.clock.advance(by: 1)
        #expect(try await breaker.snapshot().calls == 0)
        // Had the two failures at second 0 still counted, this would be 2 of 4 and open.
        try await harness.make([.success, .success], through: breaker)
        #expect(try await breaker.state() == .closed)
        try await harness.make(.failure, through: breaker)
        #expect(try await breaker.state() == .closed)
        let stored = try #require(try await harness.kv.getJSON(breaker.key))
        let second = Int64(testStart.timeIntervalSince1970) + 10
        #expect(stored["buckets"] == .array([.array([.integer(second), .integer(3), .integer(1), .integer(0)])]))
        try await harness.make(.failure, through: breaker)
        #expect(try await breaker.state() == .open)
        #expect(harness.transitions == ["closed->open failureRateExceeded(50.0)"])
    }

    @Test("slow calls: longer than the threshold is slow, exactly the threshold is not; the slow rate opens")
    func slowCalls() async throws {
        let harness = try BreakerHarness()
        let configuration = CircuitBreakerConfiguration(
            slowCallRateThreshold: 50, slowCallDurationThreshold: .seconds(2), slidingWindow: .count(2), minimumNumberOfCalls: 2)
        let breaker = harness.breaker(configuration)
        try await harness.make([.slow(2), .slow(2)], through: breaker)
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.slowCalls, snapshot.slowCallRate) == (.closed, 0, 0))
        try await harness.make(.slow(2.001), through: breaker)
        #expect(try await breaker.state() == .open)
        #expect(harness.transitions == ["closed->open slowCallRateExceeded(50.0)"])
    }

    @Test("a slow failure counts as failed and slow; the failure rate is judged first")
    func slowFailure() async throws {
        let harness = try BreakerHarness()
        let configuration = CircuitBreakerConfiguration(
            failureRateThreshold: 100, slowCallRateThreshold: 100, slowCallDurationThreshold: .seconds(1),
            slidingWindow: .count(1), minimumNumberOfCalls: 1)
        let breaker = harness.breaker(configuration)
        try await harness.make(.slowFailure(5), through: breaker)
        #expect(harness.transitions == ["closed->open failureRateExceeded(100.0)"])
    }

    /// Opens the harness's breaker with four failures.
    func open(_ harness: BreakerHarness, _ breaker: CircuitBreaker) async throws {
        try await harness.make(Array(repeating: .failure, count: 4), through: breaker)
        #expect(try await breaker.state() == .open)
    }

    @Test("open: calls are refused unmade, with the wait left as Retry-After")
    func openRefuses() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await open(harness, breaker)
        harness.clock.advance(by: 10)
        var ran = false
        let error = await thrown { _ = try await breaker.run { ran = true } }
        let refusal = try #require(error as? ResilienceError)
        #expect(!ran)
        #expect(refusal.code == .circuitOpen)
        #expect(refusal.policy == "erp")
        #expect(refusal.retryAfter == .seconds(20))
        #expect(refusal.status == 503)
        #expect(refusal.headers["Retry-After"] == "20")
    }

    @Test("open turns half-open exactly when the open wait is over")
    func openWait() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await open(harness, breaker)
        harness.clock.advance(by: 29.5)
        #expect(try await harness.make(.success, through: breaker) == false)
        harness.clock.advance(by: 0.5)
        #expect(try await breaker.state() == .halfOpen)  // read, not written
        #expect(try await harness.kv.getJSON(breaker.key)?["state"] == "open")
        #expect(try await harness.make(.success, through: breaker))
        #expect(harness.transitions == ["closed->open failureRateExceeded(100.0)", "open->half_open openWaitElapsed"])
    }

    @Test("half-open: the permitted trial calls all succeed, and the breaker closes with an empty window")
    func halfOpenCloses() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await open(harness, breaker)
        harness.clock.advance(by: 30)
        try await harness.make(.success, through: breaker)
        let during = try await breaker.snapshot()
        #expect((during.state, during.calls, during.failureRate) == (.halfOpen, 1, nil))
        try await harness.make(.success, through: breaker)
        let after = try await breaker.snapshot()
        #expect((after.state, after.calls) == (.closed, 0))
        #expect(harness.transitions.suffix(2) == ["open->half_open openWaitElapsed", "half_open->closed trialCallsSucceeded"])
    }

    @Test("half-open: a failed trial call at the threshold opens the breaker again, and the open wait restarts")
    func halfOpenReopens() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await open(harness, breaker)
        harness.clock.advance(by: 30)
        try await harness.make(.failure, through: breaker)
        #expect(try await breaker.state() == .halfOpen)  // one trial of two: no decision yet
        try await harness.make(.success, through: breaker)
        #expect(try await breaker.state() == .open)
        #expect(harness.transitions.last == "half_open->open failureRateExceeded(50.0)")
        let error = await thrown { _ = try await breaker.run { 1 } }
        #expect((error as? ResilienceError)?.retryAfter == .seconds(30))
    }

    @Test("open: the snapshot reports the calls that opened it — the window's, or the failed trials' — and nothing is added while open")
    func openKeepsTrippingCounts() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await harness.make([.failure, .success, .failure, .success], through: breaker)
        let opened = try await breaker.snapshot()
        #expect((opened.state, opened.calls, opened.failedCalls, opened.failureRate) == (.open, 4, 2, 50))
        #expect(try await harness.make(.failure, through: breaker) == false)  // refused: not counted
        #expect(try await breaker.snapshot().calls == 4)
        harness.clock.advance(by: 30)
        #expect(try await breaker.snapshot().calls == 0)  // half-open: its own trials only
        try await harness.make([.failure, .failure], through: breaker)
        let reopened = try await breaker.snapshot()
        #expect((reopened.state, reopened.calls, reopened.failedCalls) == (.open, 2, 2))
        try await breaker.forceOpen()
        #expect(try await breaker.snapshot().calls == 0)
    }

    @Test("half-open: calls beyond the permitted trial calls are refused while those are in flight")
    func halfOpenPermits() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await open(harness, breaker)
        harness.clock.advance(by: 30)
        var inner: [Bool] = []
        _ = try await breaker.run { () async throws -> Int in
            inner.append(try await harness.make(.success, through: breaker))  // the second trial call
            inner.append(try await harness.make(.success, through: breaker))  // a third: refused
            return 1
        }
        #expect(inner == [true, false])
        #expect(try await breaker.state() == .closed)
        let refusal = await thrown { _ = try await harness.breaker(Self.countOfFour).run { 1 } }
        #expect(refusal == nil)
    }

    @Test("half-open: a cancelled trial call gives its place back")
    func cancelledTrial() async throws {
        let harness = try BreakerHarness()
        var configuration = Self.countOfFour
        configuration.permittedNumberOfCallsInHalfOpenState = 1
        let breaker = harness.breaker(configuration)
        try await open(harness, breaker)
        harness.clock.advance(by: 30)
        await #expect(throws: CancellationError.self) { _ = try await breaker.run { () async throws -> Int in throw CancellationError() } }
        #expect(try await breaker.snapshot().calls == 0)
        #expect(try await harness.make(.success, through: breaker))
        #expect(try await breaker.state() == .closed)
    }

    @Test("a refusal made on this side — a rate limit, a full bulkhead, another open breaker — is not counted, and in half-open gives its trial back")
    func localRefusalsAreNotCounted() async throws {
        let harness = try BreakerHarness()
        var configuration = Self.countOfFour
        configuration.permittedNumberOfCallsInHalfOpenState = 1
        let breaker = harness.breaker(configuration)
        let bucket = try TokenBucket(kv: harness.kv, clock: harness.clock, capacity: 1, refillPerSecond: 0.001)
        try await bucket.acquire("erp")
        let other = harness.breaker(configuration, name: "other")
        try await other.forceOpen()
        let full = Bulkhead(name: "erp", maxConcurrentCalls: 1)
        let gate = Gate()
        let holder = Task { try await full.run(clock: harness.clock) { await gate.wait() } }
        #expect(await eventually { full.activeCalls == 1 })
        let refusals: [() async throws -> Int] = [
            { try await bucket.acquire("erp"); return 1 },
            { try await other.run { 1 } },
            { try await full.run(clock: harness.clock) { 1 } },
        ]
        for refusal in refusals {
            #expect(await thrown { _ = try await breaker.run { try await refusal() } } != nil)
        }
        #expect(try await breaker.snapshot().calls == 0)

        try await open(harness, breaker)
        harness.clock.advance(by: 30)
        for refusal in refusals {
            #expect(await thrown { _ = try await breaker.run { try await refusal() } } != nil)
        }
        // The one trial call is still there for a call that reaches the upstream.
        #expect(try await harness.make(.success, through: breaker))
        #expect(try await breaker.state() == .closed)
        gate.open()
        try await holder.value
    }

    @Test("half-open: trial calls that never report back open the breaker again after the half-open wait")
    func halfOpenWait() async throws {
        let harness = try BreakerHarness()
        var configuration = Self.countOfFour
        configuration.maxWaitDurationInHalfOpenState = .seconds(20)
        let breaker = harness.breaker(configuration)
        // Both trial calls were let through by a worker that was then evicted.
        let since = Int64(testStart.timeIntervalSince1970 * 1000)
        try await harness.kv.put(
            breaker.key,
            #"{"version":1,"state":"half_open","since":\#(since),"generation":3,"forced":false,"calls":"","buckets":[],"trialsIssued":2,"trials":""}"#)
        let busy = await thrown { _ = try await breaker.run { 1 } }
        #expect((busy as? ResilienceError)?.code == .circuitOpen)
        #expect((busy as? ResilienceError)?.retryAfter == nil)
        harness.clock.advance(by: 20)
        let reopened = await thrown { _ = try await breaker.run { 1 } }
        #expect((reopened as? ResilienceError)?.retryAfter == .seconds(30))
        #expect(harness.transitions == ["half_open->open halfOpenWaitElapsed"])
        harness.clock.advance(by: 30)
        #expect(try await harness.make(.success, through: breaker))
    }

    @Test("a call let through before a state change is not counted after it")
    func staleCallNotCounted() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await harness.make(.failure, through: breaker)
        await #expect(throws: FetchError.self) {
            _ = try await breaker.run { () async throws -> Int in
                try await breaker.reset()  // an operator resets the breaker while this call is in flight
                throw FetchError(kind: .connection, message: "refused")
            }
        }
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.calls) == (.closed, 0))
        #expect(try await harness.kv.getJSON(breaker.key)?["generation"] == 1)
    }

    @Test("4xx responses are not failures; 5xx responses are, and are returned rather than thrown")
    func responsesClassified() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        for _ in 0..<4 { _ = try await breaker.run { Response("no", status: 404) } }
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.calls, snapshot.failedCalls) == (.closed, 4, 0))
        let statuses = [503, 200, 503]
        for status in statuses {
            let response = try await breaker.run { Response("x", status: status) }
            #expect(response.status == status)
        }
        #expect(try await breaker.state() == .open)
    }

    @Test("the classifier decides what a failure is")
    func customClassifier() async throws {
        let harness = try BreakerHarness()
        var configuration = Self.countOfFour
        configuration.classifier = ErrorClassifier.standard.adding { outcome in
            if case .response(let response) = outcome, response.status == 404 { return .retryable }
            return nil
        }
        let breaker = harness.breaker(configuration)
        for _ in 0..<4 { _ = try await breaker.run { Response("no", status: 404) } }
        #expect(try await breaker.state() == .open)
    }

    @Test("forceOpen holds the breaker open past the open wait; reset closes it with an empty window")
    func forceOpenAndReset() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await harness.make(.failure, through: breaker)
        try await breaker.forceOpen()
        harness.clock.advance(by: 3600)
        let error = await thrown { _ = try await breaker.run { 1 } }
        #expect((error as? ResilienceError)?.code == .circuitOpen)
        #expect((error as? ResilienceError)?.retryAfter == nil)
        #expect(try await breaker.snapshot().isForcedOpen)
        try await breaker.reset()
        let snapshot = try await breaker.snapshot()
        #expect((snapshot.state, snapshot.calls, snapshot.isForcedOpen) == (.closed, 0, false))
        #expect(try await harness.make(.success, through: breaker))
        #expect(harness.transitions == ["closed->open forcedOpen", "open->closed reset"])
    }

    @Test("transitions are logged: a warning when the breaker opens, info otherwise")
    func logging() async throws {
        let harness = try BreakerHarness()
        let breaker = harness.breaker(Self.countOfFour)
        try await open(harness, breaker)
        harness.clock.advance(by: 30)
        try await harness.make(.success, through: breaker)
        let records = harness.logs.all.filter { $0.metadata["circuit_breaker"] == "erp" }
        #expect(records.map(\.level) == [.warning, .info])
        #expect(records.first?.message.contains("closed -> open") == true)
        #expect(records.first?.metadata["to"] == "open")
    }

    @Test("the gauge: 0 closed, 1 half-open, 2 open")
    func gauge() {
        #expect(CircuitBreakerState.allCases.map { [$0.rawValue: $0.gaugeValue] } == [["closed": 0], ["open": 2], ["half_open": 1]])
    }
}
