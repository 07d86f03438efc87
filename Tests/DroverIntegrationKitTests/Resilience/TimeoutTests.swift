import Drover
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

    @Test("the limit passes first: a typed timeout, exactly at the deadline on the clock, and the operation is cancelled")
    func firesAtDeadline() async throws {
        let clock = RecordingClock()
        let cancelled = Collected<Bool>()
        let error = await thrown {
            _ = try await withTimeout(.seconds(5), clock: clock, name: "erp") { try await Self.hang(cancelled) }
        }
        let timeout = try #require(error as? ResilienceError)
        #expect(timeout.code == .timedOut)
        #expect(timeout.policy == "erp")
        #expect(timeout.limit == .seconds(5))
        #expect(timeout.status == 504)
        #expect(clock.sleeps == [.seconds(5)])
        #expect(clock.elapsed == 5)
        #expect(cancelled.all == [true])
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
        let cancelled = Collected<Bool>()
        var random = MaxRandom()
        var attempts: [RetryAttempt.Decision] = []
        let error = await thrown {
            _ = try await RetryPolicy(maxAttempts: 2, baseDelay: .seconds(1)).run(
                clock: clock, using: &random, onAttempt: { attempts.append($0.decision) }
            ) {
                try await withTimeout(.seconds(2), clock: clock) { try await Self.hang(cancelled) }
            }
        }
        #expect((error as? ResilienceError)?.code == .timedOut)
        #expect(attempts == [.retrying(after: .seconds(1)), .attemptsExhausted])
        #expect(clock.sleeps == [.seconds(2), .seconds(1), .seconds(2)])
        #expect(clock.elapsed == 5)
        #expect(cancelled.all == [true, true])
    }
}
