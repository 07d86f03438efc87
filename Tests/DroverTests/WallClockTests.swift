import Foundation
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
}
