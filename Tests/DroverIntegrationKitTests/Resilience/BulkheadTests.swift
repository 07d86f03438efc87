import Drover
import DroverTestSupport
import Foundation
import Synchronization
import Testing

@testable import DroverIntegrationKit

/// How many calls run now, the most that ran at once, and how many finished.
final class Occupancy: Sendable {
    private let state = Mutex((now: 0, peak: 0, done: 0))

    func enter() {
        state.withLock {
            $0.now += 1
            $0.peak = max($0.peak, $0.now)
        }
    }

    func leave() {
        state.withLock {
            $0.now -= 1
            $0.done += 1
        }
    }

    var counts: (now: Int, peak: Int, done: Int) { state.withLock { $0 } }
}

@Suite("Bulkhead")
struct BulkheadTests {
    /// Starts a call through `bulkhead` that holds its slot until `gate` opens.
    func hold(_ bulkhead: Bulkhead, clock: any WallClock, until gate: Gate) -> Task<Void, any Error> {
        Task { try await bulkhead.run(clock: clock) { await gate.wait() } }
    }

    @Test("without a wait, a call beyond the limit is refused at once, and a freed slot is taken again")
    func refusesAtOnce() async throws {
        let clock = RecordingClock()
        let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 2)
        let gate = Gate()
        let holders = [hold(bulkhead, clock: clock, until: gate), hold(bulkhead, clock: clock, until: gate)]
        #expect(await eventually { bulkhead.activeCalls == 2 })
        var ran = false
        let error = await thrown { try await bulkhead.run(clock: clock) { ran = true } }
        let refusal = try #require(error as? ResilienceError)
        #expect(refusal.code == .bulkheadFull)
        #expect(refusal.policy == "erp")
        #expect(refusal.status == 503)
        #expect(!ran)
        gate.open()
        for holder in holders { try await holder.value }
        #expect(bulkhead.activeCalls == 0)
        #expect(try await bulkhead.run(clock: clock) { 5 } == 5)
        #expect(clock.sleeps.isEmpty)
    }

    @Test("with a wait, a call waits exactly maxWait on the clock, then is refused")
    func waitsThenRefuses() async throws {
        let clock = RecordingClock()
        let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 1, maxWait: .seconds(3))
        let gate = Gate()
        let holder = hold(bulkhead, clock: clock, until: gate)
        #expect(await eventually { bulkhead.activeCalls == 1 })
        let error = await thrown { try await bulkhead.run(clock: clock) {} }
        #expect((error as? ResilienceError)?.code == .bulkheadFull)
        #expect((error as? ResilienceError)?.limit == .seconds(3))
        #expect(clock.sleeps == [.seconds(3)])
        #expect(clock.elapsed == 3)
        #expect(bulkhead.waitingCalls == 0)
        gate.open()
        try await holder.value
        #expect(bulkhead.activeCalls == 0)
    }

    @Test("a waiting call gets the slot a finished call frees, first come first served")
    func handsOverInOrder() async throws {
        let clock = SteppedClock()
        let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 1, maxWait: .seconds(10))
        let gate = Gate()
        let holder = hold(bulkhead, clock: clock, until: gate)
        #expect(await eventually { bulkhead.activeCalls == 1 })
        let order = Collected<Int>()
        let first = Task { try await bulkhead.run(clock: clock) { order.append(1) } }
        #expect(await eventually { bulkhead.waitingCalls == 1 })
        let second = Task { try await bulkhead.run(clock: clock) { order.append(2) } }
        #expect(await eventually { bulkhead.waitingCalls == 2 })
        gate.open()
        try await holder.value
        try await first.value
        try await second.value
        #expect(order.all == [1, 2])
        #expect(clock.now() == testStart)
        #expect((bulkhead.activeCalls, bulkhead.waitingCalls) == (0, 0))
    }

    @Test("many callers: never more than the limit at once, and every call runs")
    func limitsConcurrency() async throws {
        let clock = SteppedClock()
        let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 3, maxWait: .seconds(60))
        let gate = Gate()
        let running = Occupancy()
        let calls = (0..<10).map { _ in
            Task {
                try await bulkhead.run(clock: clock) {
                    running.enter()
                    await gate.wait()
                    running.leave()
                }
            }
        }
        #expect(await eventually { bulkhead.activeCalls == 3 && bulkhead.waitingCalls == 7 })
        #expect(running.counts.now == 3)
        gate.open()
        for call in calls { try await call.value }
        let final = running.counts
        #expect((final.peak, final.done) == (3, 10))
    }

    @Test("a full waiting line refuses at once")
    func waitingLineLimit() async throws {
        let clock = SteppedClock()
        let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 1, maxWait: .seconds(10), maxWaitingCalls: 1)
        let gate = Gate()
        let holder = hold(bulkhead, clock: clock, until: gate)
        #expect(await eventually { bulkhead.activeCalls == 1 })
        let waiter = Task { try await bulkhead.run(clock: clock) {} }
        #expect(await eventually { bulkhead.waitingCalls == 1 })
        let error = await thrown { try await bulkhead.run(clock: clock) {} }
        #expect((error as? ResilienceError)?.code == .bulkheadFull)
        gate.open()
        try await holder.value
        try await waiter.value
    }

    @Test("a cancelled waiter throws CancellationError, leaves the line, and takes no slot")
    func cancelledWaiter() async throws {
        let clock = SteppedClock()
        let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 1, maxWait: .seconds(10))
        let gate = Gate()
        let holder = hold(bulkhead, clock: clock, until: gate)
        #expect(await eventually { bulkhead.activeCalls == 1 })
        let ran = Collected<Bool>()
        let waiter = Task { try await bulkhead.run(clock: clock) { ran.append(true) } }
        #expect(await eventually { bulkhead.waitingCalls == 1 })
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(bulkhead.waitingCalls == 0)
        gate.open()
        try await holder.value
        #expect((bulkhead.activeCalls, ran.all) == (0, []))
    }

    @Test("an operation's error frees its slot")
    func errorFreesSlot() async throws {
        let clock = RecordingClock()
        let bulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 1)
        await #expect(throws: FetchError.self) {
            try await bulkhead.run(clock: clock) { throw FetchError(kind: .timeout, message: "slow") }
        }
        #expect(bulkhead.activeCalls == 0)
        #expect(try await bulkhead.run(clock: clock) { "again" } == "again")
    }
}
