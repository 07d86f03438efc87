import Foundation
import Synchronization
import Testing

@testable import Drover

/// `WallClock.sleep(for:)`: the platform's `scheduler.wait`, real on the system clock, instant
/// (moving the clock) on the manual one.
@Suite struct WallClockTests {
    @Test func theSystemClockSleepsForReal() async throws {
        let start = ContinuousClock.now
        try await SystemWallClock().sleep(for: .milliseconds(50))
        #expect(start.duration(to: .now) >= .milliseconds(50))
    }

    @Test(.timeLimit(.minutes(1)))
    func aSystemSleepIsCancellable() async throws {
        let start = ContinuousClock.now
        let sleeper = Task { try await SystemWallClock().sleep(for: .seconds(300)) }
        try await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(start.duration(to: .now) < .seconds(60), "woken long before the 300 s (a loose bound for a busy machine)")
    }

    @Test func theManualClockMovesAtOnceInsteadOfWaiting() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        let start = ContinuousClock.now
        try await clock.sleep(for: .seconds(30))
        try await clock.sleep(for: .milliseconds(250))
        #expect(clock.now() == Date(timeIntervalSince1970: 1_767_225_630.25))
        try await clock.sleep(for: .zero)
        try await clock.sleep(for: .seconds(-5))
        #expect(clock.now() == Date(timeIntervalSince1970: 1_767_225_630.25), "zero and negative waits move nothing")
        try await clock.sleep(until: Date(timeIntervalSince1970: 1_767_225_700))
        #expect(clock.now() >= Date(timeIntervalSince1970: 1_767_225_700))
        #expect(clock.now() < Date(timeIntervalSince1970: 1_767_225_700.001))
        try await clock.sleep(until: Date(timeIntervalSince1970: 1_767_225_600))
        #expect(clock.now() < Date(timeIntervalSince1970: 1_767_225_700.001), "a deadline in the past returns at once")
        #expect(start.duration(to: .now) < .seconds(60), "no real waiting (loose bound for a busy machine)")
    }

    @Test func aCancelledManualSleepThrowsAndLeavesTheClock() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 0))
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(for: .seconds(30))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.now() == Date(timeIntervalSince1970: 0))
    }

    @Test func aRetryWithA30SecondBackoffTakesNoRealTimeOnTheEnvClock() async throws {
        let env = TestSupport.makeEnv()
        let before = env.now
        var attempts = 0
        while attempts < 3 {
            attempts += 1
            try await env.clock.sleep(for: .seconds(30))
        }
        #expect(env.now.timeIntervalSince(before) == 90)
    }

    // MARK: withTimeLimit

    @Test("a frozen clock's time limit: an operation that does not wait on the clock wins, every run, and no time passes")
    func manualLimitOperationWins() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        for _ in 0..<100 {
            let value = try await clock.withTimeLimit(.nanoseconds(1)) { () async throws -> Int in
                await Task.yield()
                return 7
            }
            #expect(value == 7)
        }
        #expect(clock.now() == Date(timeIntervalSince1970: 1_767_225_600))
    }

    @Test("a frozen clock's time limit: a wait within it is taken whole; one past it stops at the deadline and reports nil")
    func manualLimitCutsWaitsAtTheDeadline() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        let within = try await clock.withTimeLimit(.seconds(5)) { () async throws -> String in
            try await clock.sleep(for: .seconds(5))
            return "on time"
        }
        #expect(within == "on time")
        #expect(clock.now() == Date(timeIntervalSince1970: 1_767_225_605))

        let ranPast = Mutex(false)
        let past = try await clock.withTimeLimit(.seconds(2)) { () async throws -> String in
            try await clock.sleep(for: .seconds(10))
            ranPast.withLock { $0 = true }
            return "late"
        }
        #expect(past == nil)
        #expect(!ranPast.withLock { $0 })
        #expect(clock.now() == Date(timeIntervalSince1970: 1_767_225_607))

        // After the limit, the clock's waits are whole again.
        try await clock.sleep(for: .seconds(60))
        #expect(clock.now() == Date(timeIntervalSince1970: 1_767_225_667))
    }

    @Test("a frozen clock's time limit: an error before the deadline is the operation's; no limit means no run")
    func manualLimitErrorsAndZero() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_767_225_600))
        struct Refused: Error, Equatable {}
        await #expect(throws: Refused.self) {
            _ = try await clock.withTimeLimit(.seconds(5)) { () async throws -> Int in throw Refused() }
        }
        let ran = Mutex(false)
        for limit in [Duration.zero, .seconds(-1)] {
            let value = try await clock.withTimeLimit(limit) { () async throws -> Int in
                ran.withLock { $0 = true }
                return 1
            }
            #expect(value == nil)
        }
        #expect(!ran.withLock { $0 })
    }

    @Test("a frozen clock's time limit applies to its own clock only: another manual clock's waits are whole")
    func manualLimitIsPerClock() async throws {
        let clock = ManualWallClock(Date(timeIntervalSince1970: 0))
        let other = ManualWallClock(Date(timeIntervalSince1970: 0))
        let value = try await clock.withTimeLimit(.seconds(1)) { () async throws -> Int in
            try await other.sleep(for: .seconds(100))
            return 1
        }
        #expect(value == 1)
        #expect(other.now() == Date(timeIntervalSince1970: 100))
        #expect(clock.now() == Date(timeIntervalSince1970: 0))
    }

    @Test(.timeLimit(.minutes(1)))
    func theSystemClocksTimeLimitRacesTheOperation() async throws {
        let clock = SystemWallClock()
        let fast = try await clock.withTimeLimit(.seconds(300)) { () async throws -> Int in 3 }
        #expect(fast == 3)
        let cancelled = Mutex(false)
        let slow = try await clock.withTimeLimit(.milliseconds(20)) { () async throws -> Int in
            do {
                try await Task.sleep(for: .seconds(300))
            } catch {
                cancelled.withLock { $0 = true }
                throw error
            }
            return 4
        }
        #expect(slow == nil)
        #expect(cancelled.withLock { $0 })
    }
}

