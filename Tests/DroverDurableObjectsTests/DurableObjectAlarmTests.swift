import Drover
import DroverDurableObjects
import Foundation
import Testing

@Suite("Durable Object alarms")
struct DurableObjectAlarmTests {
    private static let startMs = Int64(DurableObjectsHarness.start.timeIntervalSince1970 * 1000)

    private func probe(_ harness: DurableObjectsHarness, _ name: String = "alarmed") throws -> DurableObjectStub {
        try harness.namespace("PROBE").getByName(name)
    }

    private func runs(_ stub: DurableObjectStub) async throws -> [JSONValue] {
        try await stub.call(Probe.self) { try $0.storage.get("runs")?.arrayValue ?? [] }
    }

    @Test("round trip: getAlarm answers the time, alarm() runs when the clock reaches it, sees scheduledTime and no alarm")
    func roundTrip() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try probe(harness)
        let time = Self.startMs + 30_000
        try await stub.call(Probe.self) { try $0.storage.setAlarm(time) }
        #expect(try await stub.call(Probe.self) { try $0.storage.getAlarm() } == time)
        #expect(await harness.advance(29.999) == 0)
        #expect(await harness.advance(0.001) == 1)
        #expect(try await runs(stub) == [["retryCount": 0, "isRetry": false, "scheduledTime": .integer(time), "alarmInside": .null]])
        #expect(try await stub.call(Probe.self) { try $0.storage.getAlarm() } == nil)
        #expect(harness.host.pendingAlarms == 0)
        await harness.host.shutdown()
    }

    @Test("a throwing alarm() is retried six times, 2 s then doubling, then dropped")
    func retries() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try probe(harness)
        try await stub.call(Probe.self) { probe in
            try probe.storage.put("failures", 100)
            try probe.storage.setAlarm(Self.startMs)
        }
        #expect(await harness.advance(0) == 1)
        var expectedTimes: [Int64] = [Self.startMs]
        var now = Self.startMs
        for retry in 0..<6 {
            let delay = Int64(2_000 << retry)
            #expect(try await stub.call(Probe.self) { try $0.storage.getAlarm() } == now + delay)
            #expect(await harness.advance(Double(delay) / 1000 - 0.001) == 0)
            #expect(await harness.advance(0.001) == 1)
            now += delay
            expectedTimes.append(now)
        }
        let recorded = try await runs(stub)
        #expect(recorded.map { $0["retryCount"]?.integerValue } == (0...6).map { Int64($0) })
        #expect(recorded.map { $0["scheduledTime"]?.integerValue } == expectedTimes)
        #expect(recorded.map { $0["isRetry"]?.boolValue } == [false] + Array(repeating: true, count: 6))
        #expect(try await stub.call(Probe.self) { try $0.storage.getAlarm() } == nil)
        #expect(await harness.advance(10_000) == 0)
        await harness.host.shutdown()
    }

    @Test("an alarm set inside alarm() replaces the run's alarm, and getAlarm sees it; a throw then does not retry")
    func setInsideHandler() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try probe(harness)
        let next = Self.startMs + 5_000
        try await stub.call(Probe.self) { probe in
            try probe.storage.put("setNext", .integer(next))
            try probe.storage.put("failures", 1)
            try probe.storage.setAlarm(Self.startMs + 1_000)
        }
        #expect(await harness.advance(1) == 1)
        #expect(try await stub.call(Probe.self) { try $0.storage.getAlarm() } == next)
        #expect(await harness.advance(4) == 1)
        #expect(try await runs(stub).map { $0["retryCount"]?.integerValue } == [0, 0])
        await harness.host.shutdown()
    }

    @Test("deleteAlarm cancels; a time in the past fires at once; a time of 0 is refused")
    func deleteAndPast() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try probe(harness)
        try await stub.call(Probe.self) { probe in
            try probe.storage.setAlarm(Self.startMs + 1_000)
            try probe.storage.deleteAlarm()
            #expect(throws: DurableObjectError("setAlarm() cannot be called with an alarm time <= 0")) { try probe.storage.setAlarm(0) }
        }
        #expect(await harness.advance(5) == 0)
        try await stub.call(Probe.self) { try $0.storage.setAlarm(1) }
        #expect(try await stub.call(Probe.self) { try $0.storage.getAlarm() } == harness.clock.nowMilliseconds())
        #expect(await harness.advance(0) == 1)
        await harness.host.shutdown()
    }

    @Test("an alarm set before a restart fires after it; one that fell due while down fires at once")
    func survivesRestart() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try probe(harness, "restart")
        try await stub.call(Probe.self) { try $0.storage.setAlarm(Self.startMs + 60_000) }
        harness.clock.advance(by: 120)
        let restarted = try await harness.restarted()
        #expect(restarted.host.pendingAlarms == 1)
        #expect(await restarted.host.fireDueAlarms() == 1)
        #expect(try await runs(try restarted.namespace("PROBE").getByName("restart")).count == 1)
        await restarted.host.shutdown()
    }

    @Test("alarms fire in time order across objects")
    func order() async throws {
        let harness = try DurableObjectsHarness.make()
        for (name, offset) in [("c", 3_000), ("a", 1_000), ("b", 2_000)] {
            try await probe(harness, name).call(Probe.self) { try $0.storage.setAlarm(Self.startMs + Int64(offset)) }
        }
        #expect(await harness.advance(10) == 3)
        var times: [Int64] = []
        for name in ["a", "b", "c"] {
            times.append(try await runs(try probe(harness, name)).first?["scheduledTime"]?.integerValue ?? 0)
        }
        #expect(times == [Self.startMs + 1_000, Self.startMs + 2_000, Self.startMs + 3_000])
        await harness.host.shutdown()
    }

    @Test("on the real clock, a started host fires an alarm by itself")
    func realClock() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("drover-do-\(UUID().uuidString)").path
        let clock = ManualWallClock(Date())
        let harness = try DurableObjectsHarness.make(state: state, clock: clock)
        await harness.host.shutdown()
        let live = try DurableObjectsHost(
            config: DurableObjectsHarness.config(), registry: DurableObjectsHarness.registry, stateDirectory: state,
            clock: SystemWallClock(), logger: Logger(label: "t", sink: MemoryLogSink()))
        var env = Env(fetch: NoNetwork())
        for (name, namespace) in live.bindings { env.setBinding(name, .durableObjects(namespace)) }
        live.setEnv(env)
        live.start()
        let stub = try env.durableObjects("PROBE").getByName("live")
        let due = SystemWallClock().nowMilliseconds() + 100
        try await stub.call(Probe.self) { try $0.storage.setAlarm(due) }
        // 30 s, as the suite's other waits on real time: a loaded machine can hold the cooperative threads.
        let deadline = Date().addingTimeInterval(30)
        while try await runs(stub).isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        // At or after `due`: a set that runs late is moved to its own now, as on the platform.
        #expect(try await runs(stub).first?["scheduledTime"]?.integerValue ?? 0 >= due)
        await live.shutdown()
    }

    @Test("an object that cannot be built keeps its alarm, tried again 2 s later, never in a loop")
    func unbuildableObject() async throws {
        let harness = try DurableObjectsHarness.make()
        let fragile = try harness.namespace("FRAGILE").getByName("f")
        try await fragile.call(Fragile.self) { object in
            try object.ctx.storage.setAlarm(Self.startMs + 1_000)
            try object.ctx.storage.put("broken", true)
        }
        await harness.host.evictIdle()
        #expect(await harness.advance(1) == 1, "tried once, not again and again")
        #expect(await harness.advance(1.999) == 0)
        #expect(await harness.advance(0.001) == 1)
        #expect(harness.host.pendingAlarms == 1)
        await harness.host.shutdown()
    }

    @Test("an alarm set in a transaction that rolls back leaves the earlier alarm, in the file and the scheduler")
    func rolledBackAlarm() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try probe(harness, "rolled-back")
        try await stub.call(Probe.self) { probe in
            try probe.storage.setAlarm(Self.startMs + 1_000)
            #expect(throws: Probe.ProbeFailure.self) {
                try probe.storage.transactionSync {
                    try probe.storage.setAlarm(Self.startMs + 3_600_000)
                    throw Probe.ProbeFailure()
                }
            }
            #expect(try probe.storage.getAlarm() == Self.startMs + 1_000)
        }
        #expect(try harness.host.objects(binding: "PROBE").first { $0.name == "rolled-back" }?.alarm == Self.startMs + 1_000)
        #expect(await harness.advance(1) == 1)
        await harness.host.shutdown()
    }
}
