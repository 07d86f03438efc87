import Drover
import DroverTestSupport
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Retry policy")
struct RetryPolicyTests {
    typealias Decision = RetryAttempt.Decision

    /// Runs `policy` against `upstream` on `clock`, with the largest jitter, collecting the reports.
    func run(
        _ policy: RetryPolicy, _ upstream: ScriptedUpstream, clock: RecordingClock
    ) async throws -> (Response, [RetryAttempt]) {
        var random = MaxRandom()
        var attempts: [RetryAttempt] = []
        let response = try await policy.run(clock: clock, using: &random, onAttempt: { attempts.append($0) }) {
            try await upstream.call()
        }
        return (response, attempts)
    }

    @Test("a first success is one attempt and no wait")
    func firstSuccess() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.ok])
        let (response, attempts) = try await run(RetryPolicy(), upstream, clock: clock)
        #expect(response.status == 200)
        #expect(upstream.calls == 1)
        #expect(clock.sleeps.isEmpty)
        #expect(attempts.map(\.decision) == [.succeeded])
        #expect(attempts.map(\.status) == [200])
    }

    @Test("503, 503, 200: three attempts, waits at the doubling ceilings when the jitter draws its largest")
    func backoffCeilings() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.status(503), .status(503), .ok])
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100))
        let (response, attempts) = try await run(policy, upstream, clock: clock)
        #expect(response.status == 200)
        #expect(upstream.calls == 3)
        #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)])
        #expect(attempts.map(\.decision) == [.retrying(after: .milliseconds(100)), .retrying(after: .milliseconds(200)), .succeeded])
        #expect(attempts.map(\.number) == [1, 2, 3])
        #expect(attempts.map(\.delaySource) == [.backoff, .backoff, nil])
    }

    @Test("the ceiling stops at maxDelay; out of attempts, the last 503 is returned")
    func capAndExhaustion() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream(Array(repeating: .status(503), count: 10))
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(3))
        let (response, attempts) = try await run(policy, upstream, clock: clock)
        #expect(response.status == 503)
        #expect(upstream.calls == 5)
        #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(3), .seconds(3)])
        #expect(attempts.last?.decision == .attemptsExhausted)
        #expect(clock.elapsed == 9)
    }

    @Test("backoff ceilings double from the base, stop at the cap, and never overflow")
    func ceilings() {
        let policy = RetryPolicy(baseDelay: .milliseconds(250), maxDelay: .seconds(10))
        let ceilings = (1...8).map { policy.backoffCeiling(afterAttempt: $0) }
        #expect(ceilings == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(policy.backoffCeiling(afterAttempt: 1_000) == .seconds(10))
        #expect(policy.backoffCeiling(afterAttempt: Int.max) == .seconds(10))
        #expect(RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(Int64.max)).backoffCeiling(afterAttempt: 200) == .nanoseconds(Int64.max))
        #expect(RetryPolicy(baseDelay: .zero).backoffCeiling(afterAttempt: 3) == .seconds(30))
    }

    @Test("full jitter: each wait is drawn from 0...ceiling with the given generator, and repeats from its seed")
    func seededJitter() async throws {
        let policy = RetryPolicy(maxAttempts: 6, baseDelay: .seconds(1), maxDelay: .seconds(8))
        func waits(seed: UInt64) async throws -> [Duration] {
            let clock = RecordingClock()
            let upstream = ScriptedUpstream(Array(repeating: .connectionError, count: 6))
            var random = SplitMix64(seed: seed)
            await #expect(throws: FetchError.self) {
                try await policy.run(clock: clock, using: &random) { try await upstream.call() }
            }
            #expect(upstream.calls == 6)
            return clock.sleeps
        }
        let first = try await waits(seed: 42)
        var expected = SplitMix64(seed: 42)
        let ceilings = (1...5).map { policy.backoffCeiling(afterAttempt: $0) }
        #expect(first == ceilings.map { Duration.nanoseconds(Int64(UInt64.random(in: 0...$0.clampedNanoseconds, using: &expected))) })
        #expect(zip(first, ceilings).allSatisfy { $0 >= .zero && $0 <= $1 })
        #expect(try await waits(seed: 42) == first)
        #expect(try await waits(seed: 43) != first)
    }

    @Test("429 with Retry-After in seconds: the wait is the header's, not the backoff")
    func retryAfterSeconds() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.tooManyRequests(retryAfter: "7"), .ok])
        let (response, attempts) = try await run(RetryPolicy(), upstream, clock: clock)
        #expect(response.status == 200)
        #expect(clock.sleeps == [.seconds(7)])
        #expect(attempts.first?.delaySource == .retryAfter)
        #expect(attempts.first?.status == 429)
    }

    @Test("503 with Retry-After as an HTTP-date: the wait runs to that date on the clock")
    func retryAfterDate() async throws {
        let clock = RecordingClock()
        clock.advance(by: 5)
        let upstream = ScriptedUpstream([.unavailable(retryAfter: "Thu, 01 Jan 2026 00:00:35 GMT"), .ok])
        let (response, _) = try await run(RetryPolicy(), upstream, clock: clock)
        #expect(response.status == 200)
        #expect(clock.sleeps == [.seconds(30)])
        #expect(clock.elapsed == 35)
    }

    @Test("a Retry-After longer than maxRetryAfter is cut to it; an invalid one falls back to the backoff")
    func retryAfterCapAndFallback() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.tooManyRequests(retryAfter: "3600"), .tooManyRequests(retryAfter: "soon"), .ok])
        let policy = RetryPolicy(baseDelay: .seconds(1), maxRetryAfter: .seconds(60))
        let (response, attempts) = try await run(policy, upstream, clock: clock)
        #expect(response.status == 200)
        #expect(clock.sleeps == [.seconds(60), .seconds(2)])
        #expect(attempts.map(\.delaySource) == [.retryAfter, .backoff, nil])
    }

    @Test("a thrown error's Retry-After is honoured too")
    func retryAfterOnError() async throws {
        let clock = RecordingClock()
        let calls = Collected<Int>()
        var random = MaxRandom()
        let value = try await RetryPolicy().run(clock: clock, using: &random) { () async throws -> String in
            calls.append(1)
            if calls.all.count == 1 { throw HTTPError(503, headers: ["Retry-After": "4"]) }
            return "done"
        }
        #expect(value == "done")
        #expect(clock.sleeps == [.seconds(4)])
    }

    @Test("timeouts and refused connections are retried; the error path returns the first success")
    func transportErrors() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.timeout, .connectionError, .ok])
        let (response, attempts) = try await run(RetryPolicy(baseDelay: .seconds(1)), upstream, clock: clock)
        #expect(try await response.text() == "ok 3")
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])
        #expect(attempts.compactMap { ($0.error as? FetchError)?.kind } == [.timeout, .connection])
    }

    @Test("out of attempts on thrown errors, the last error is thrown")
    func lastErrorThrown() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.timeout, .timeout, .connectionError])
        let error = await thrown { _ = try await run(RetryPolicy(maxAttempts: 3), upstream, clock: clock) }
        #expect(error as? FetchError == FetchError(kind: .connection, message: "call 3 refused"))
        #expect(upstream.calls == 3)
        #expect(clock.sleeps.count == 2)
    }

    @Test("a 404 is returned at once, and an invalid URL thrown at once")
    func notRetryable() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.status(404), .ok])
        let (response, attempts) = try await run(RetryPolicy(), upstream, clock: clock)
        #expect(response.status == 404)
        #expect(upstream.calls == 1)
        #expect(attempts.map(\.decision) == [.notRetryable])

        var random = MaxRandom()
        let calls = Collected<Int>()
        await #expect(throws: FetchError.invalidURL("nope")) {
            try await RetryPolicy().run(clock: clock, using: &random) { () async throws -> Int in
                calls.append(1)
                throw FetchError.invalidURL("nope")
            }
        }
        #expect(calls.all.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test("an open circuit is not retried")
    func openCircuitNotRetried() async throws {
        let clock = RecordingClock()
        var random = MaxRandom()
        let calls = Collected<Int>()
        let error = await thrown {
            _ = try await RetryPolicy().run(clock: clock, using: &random) { () async throws -> Int in
                calls.append(1)
                throw ResilienceError.circuitOpen("erp", retryAfter: .seconds(30))
            }
        }
        #expect((error as? ResilienceError)?.code == .circuitOpen)
        #expect(calls.all.count == 1)
    }

    @Test("the deadline: no wait that would reach it; the policy gives up with the last response")
    func deadlineWithRetryAfter() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.unavailable(retryAfter: "6"), .unavailable(retryAfter: "6"), .ok])
        let policy = RetryPolicy(maxAttempts: 10, maxDuration: .seconds(10))
        let (response, attempts) = try await run(policy, upstream, clock: clock)
        #expect(response.status == 503)
        #expect(upstream.calls == 2)
        #expect(clock.sleeps == [.seconds(6)])
        #expect(attempts.map(\.decision) == [.retrying(after: .seconds(6)), .deadlineReached])
        #expect(clock.elapsed == 6)
    }

    @Test("the deadline on thrown errors: the last error is thrown, and a wait ending exactly at it is not taken")
    func deadlineWithErrors() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream(Array(repeating: .connectionError, count: 10))
        // Waits of 2, 4, 8 s at the ceilings: 2 + 4 = 6 < 14, 6 + 8 = 14 is the deadline itself.
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .seconds(2), maxDuration: .seconds(14))
        let error = await thrown { _ = try await run(policy, upstream, clock: clock) }
        #expect(error as? FetchError == FetchError(kind: .connection, message: "call 3 refused"))
        #expect(clock.sleeps == [.seconds(2), .seconds(4)])
        #expect(clock.elapsed == 6)
    }

    @Test("time spent in attempts counts against the deadline")
    func slowAttemptsCount() async throws {
        let clock = RecordingClock()
        var random = MaxRandom()
        let calls = Collected<Int>()
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDuration: .seconds(10))
        let error = await thrown {
            _ = try await policy.run(clock: clock, using: &random) { () async throws -> Int in
                calls.append(1)
                clock.advance(by: 4.5)
                throw FetchError(kind: .timeout, message: "slow")
            }
        }
        // 4.5 + 1 = 5.5; 5.5 + 4.5 = 10, and a wait of 2 s would pass the deadline.
        #expect(error is FetchError)
        #expect(calls.all.count == 2)
        #expect(clock.sleeps == [.seconds(1)])
    }

    @Test("maxAttempts below 1 still makes one attempt")
    func atLeastOneAttempt() async throws {
        let clock = RecordingClock()
        let upstream = ScriptedUpstream([.status(503), .ok])
        let (response, attempts) = try await run(RetryPolicy(maxAttempts: 0), upstream, clock: clock)
        #expect(response.status == 503)
        #expect(attempts.map(\.decision) == [.attemptsExhausted])
    }

    @Test("a cancelled run stops waiting and throws CancellationError")
    func cancellation() async throws {
        let clock = SteppedClock()
        let upstream = ScriptedUpstream(Array(repeating: .status(503), count: 5))
        let task = Task {
            var random = MaxRandom()
            return try await RetryPolicy(baseDelay: .seconds(1)).run(clock: clock, using: &random) { try await upstream.call() }
        }
        #expect(await eventually { clock.pendingSleeps == 1 })
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(upstream.calls == 1)
    }
}
