import Drover
import DroverTestSupport
import Foundation
import Synchronization
import Testing

@testable import DroverIntegrationKit

@Suite("Timeout")
struct TimeoutTests {
    /// An operation that never ends on its own: it waits until its task is cancelled.
    @Sendable static func hang(_ cancelled: Collected<Bool>) async throws -> Int {
        let gate = Gate()
        await withTaskCancellationHandler {
            await gate.wait()
        } onCancel: {
            cancelled.append(true)
            gate.open()
        }
        throw CancellationError()
    }

    @Test("under a frozen clock, the operation's own wait past the limit is cut at the deadline: a typed timeout at exactly 5 s")
    func firesAtDeadline() async throws {
        let clock = RecordingClock()
        let error = await thrown {
            _ = try await withTimeout(.seconds(5), clock: clock, name: "erp") { () async throws -> Int in
                try await clock.sleep(for: .seconds(3_600))
                return 1
            }
        }
        let timeout = try #require(error as? ResilienceError)
        #expect(timeout.code == .timedOut)
        #expect(timeout.policy == "erp")
        #expect(timeout.limit == .seconds(5))
        #expect(timeout.status == 504)
        #expect(clock.sleeps == [.seconds(3_600)])
        #expect(clock.elapsed == 5)
    }

    @Test("under a frozen clock, an operation that does not wait on the clock beats any limit, every run, and no time passes")
    func frozenOperationWins() async throws {
        let clock = RecordingClock()
        for _ in 0..<200 {
            let value = try await withTimeout(.milliseconds(1), clock: clock) { () async throws -> Int in
                await Task.yield()
                return 42
            }
            #expect(value == 42)
        }
        #expect(clock.sleeps.isEmpty)
        #expect(clock.elapsed == 0)
    }

    @Test("under a frozen clock, a wait that ends within the limit is taken whole; nested limits cut at the nearer deadline")
    func frozenNested() async throws {
        let clock = RecordingClock()
        let value = try await withTimeout(.seconds(5), clock: clock) { () async throws -> Int in
            try await clock.sleep(for: .seconds(5))
            return 7
        }
        #expect(value == 7)
        #expect(clock.elapsed == 5)

        // The outer deadline is nearer: the outer limit is the one reported.
        let outer = await thrown {
            _ = try await withTimeout(.seconds(3), clock: clock, name: "outer") {
                try await withTimeout(.seconds(10), clock: clock, name: "inner") { () async throws -> Int in
                    try await clock.sleep(for: .seconds(60))
                    return 0
                }
            }
        }
        #expect((outer as? ResilienceError)?.policy == "outer")
        #expect(clock.elapsed == 8)

        // The inner deadline is nearer: it times out, and the outer operation goes on.
        let after = try await withTimeout(.seconds(10), clock: clock, name: "outer") { () async throws -> String in
            let inner = await thrown {
                _ = try await withTimeout(.seconds(2), clock: clock, name: "inner") { () async throws -> Int in
                    try await clock.sleep(for: .seconds(60))
                    return 0
                }
            }
            try await clock.sleep(for: .seconds(1))
            return (inner as? ResilienceError)?.policy ?? "none"
        }
        #expect(after == "inner")
        #expect(clock.elapsed == 11)
    }

    @Test("the operation finishes first: its value, the timer cancelled, no time passed")
    func operationWins() async throws {
        let clock = SteppedClock()
        let value = try await withTimeout(.seconds(5), clock: clock) {
            #expect(await eventually { clock.pendingSleeps == 1 })
            return 42
        }
        #expect(value == 42)
        #expect(clock.pendingSleeps == 0)
        #expect(clock.now() == testStart)
    }

    @Test("the operation throws first: its error, not a timeout")
    func operationThrows() async throws {
        let clock = SteppedClock()
        await #expect(throws: FetchError(kind: .connection, message: "refused")) {
            _ = try await withTimeout(.seconds(5), clock: clock) { () async throws -> Int in
                throw FetchError(kind: .connection, message: "refused")
            }
        }
        #expect(clock.pendingSleeps == 0)
    }

    @Test("on a clock that only moves when told, the timeout fires when the clock reaches the limit")
    func steppedDeadline() async throws {
        let clock = SteppedClock()
        let cancelled = Collected<Bool>()
        let task = Task { try await withTimeout(.seconds(5), clock: clock) { try await Self.hang(cancelled) } }
        #expect(await eventually { clock.pendingSleeps == 1 })
        clock.advance(by: 4.999)
        #expect(clock.pendingSleeps == 1)
        #expect(cancelled.all.isEmpty)
        clock.advance(by: 0.001)
        let error = await thrown { _ = try await task.value }
        #expect((error as? ResilienceError)?.code == .timedOut)
        #expect(cancelled.all == [true])
    }

    @Test("a limit of zero or less times out without running the operation")
    func zeroLimit() async throws {
        let clock = RecordingClock()
        let ran = Collected<Bool>()
        for limit in [Duration.zero, .seconds(-1)] {
            let error = await thrown { _ = try await withTimeout(limit, clock: clock) { ran.append(true) } }
            #expect((error as? ResilienceError)?.code == .timedOut)
        }
        #expect(ran.all.isEmpty)
        #expect(clock.sleeps.isEmpty)
    }

    @Test("the caller's cancellation is a CancellationError, not a timeout")
    func callerCancelled() async throws {
        let clock = SteppedClock()
        let cancelled = Collected<Bool>()
        let task = Task { try await withTimeout(.seconds(5), clock: clock) { try await Self.hang(cancelled) } }
        #expect(await eventually { clock.pendingSleeps == 1 })
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(cancelled.all == [true])
    }

    @Test("a timeout is retried by a retry policy, each attempt with its own limit, and the last one thrown")
    func retriedTimeout() async throws {
        let clock = RecordingClock()
        var random = MaxRandom()
        var attempts: [RetryAttempt.Decision] = []
        let error = await thrown {
            _ = try await RetryPolicy(maxAttempts: 2, baseDelay: .seconds(1)).run(
                clock: clock, using: &random, onAttempt: { attempts.append($0.decision) }
            ) {
                try await withTimeout(.seconds(2), clock: clock) { () async throws -> Int in
                    try await clock.sleep(for: .seconds(3_600))
                    return 0
                }
            }
        }
        #expect((error as? ResilienceError)?.code == .timedOut)
        #expect(attempts == [.retrying(after: .seconds(1)), .attemptsExhausted])
        #expect(clock.sleeps == [.seconds(3_600), .seconds(1), .seconds(3_600)])
        #expect(clock.elapsed == 5)
    }
}
