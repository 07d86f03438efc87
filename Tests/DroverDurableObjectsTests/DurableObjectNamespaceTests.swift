import Drover
import DroverConfig
import DroverDurableObjects
import DroverTestSupport
import Foundation
import Testing

@Suite("Durable Object ids and instances")
struct DurableObjectNamespaceTests {
    @Test("idFromName is stable across restarts, distinct per name and per namespace; the id keeps its name")
    func idsFromNames() async throws {
        let harness = try DurableObjectsHarness.make()
        let counters = try harness.namespace()
        let alice = counters.idFromName("alice")
        #expect(alice.hex.utf8.count == 64)
        #expect(alice.hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(alice.name == "alice")
        #expect(alice == counters.idFromName("alice"))
        #expect(alice != counters.idFromName("bob"))
        #expect(alice.hex != (try harness.namespace("PROBE")).idFromName("alice").hex)
        let restarted = try await harness.restarted()
        #expect(try restarted.namespace().idFromName("alice").hex == alice.hex)
        await restarted.host.shutdown()
    }

    @Test("idFromString takes back an id of its namespace, and refuses others with the platform's messages")
    func idsFromStrings() async throws {
        let harness = try DurableObjectsHarness.make()
        defer { Task { await harness.host.shutdown() } }
        let counters = try harness.namespace()
        let unique = counters.newUniqueId()
        #expect(unique.name == nil)
        #expect(unique != counters.newUniqueId())
        let parsed = try counters.idFromString(unique.toString())
        #expect(parsed.equals(unique))
        #expect(parsed.name == nil)
        #expect(try counters.idFromString(counters.idFromName("x").hex).hex == counters.idFromName("x").hex)
        for bad in ["", "abc", String(repeating: "g", count: 64), unique.hex + "00", String(unique.hex.dropLast())] {
            #expect(throws: DurableObjectError("Invalid Durable Object ID: must be 64 hex digits")) { try counters.idFromString(bad) }
        }
        let foreign = try harness.namespace("PROBE").idFromName("alice").hex
        #expect(throws: DurableObjectError("Durable Object ID is not valid for this namespace.")) { try counters.idFromString(foreign) }
        var flipped = Array(unique.hex)
        flipped[0] = flipped[0] == "0" ? "1" : "0"
        #expect(throws: DurableObjectError("Durable Object ID is not valid for this namespace.")) {
            try counters.idFromString(String(flipped))
        }
    }

    @Test("100 concurrent increments of one counter give exactly 100")
    func concurrentIncrements() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace().getByName("hot")
        let results = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<100 { group.addTask { try await stub.call(TestCounter.self) { try $0.increment() } } }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(results.sorted() == Array(1...100))
        #expect(try await stub.call(TestCounter.self) { try $0.ctx.storage.get("count") } == .integer(100))
        await harness.host.shutdown()
    }

    @Test("an await between the read and the write lets other calls in, as on the platform")
    func interleavingAtAwait() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace().getByName("pausing")
        let (read, resume) = (Gate(), Gate())
        let slow = Task { try await stub.call(TestCounter.self) { try await $0.incrementPausing(read: read, resume: resume) } }
        await read.wait()
        // While the slow call waits after its read, another call comes in and completes.
        #expect(try await stub.call(TestCounter.self) { try $0.increment() } == 1)
        resume.open()
        // The slow call writes what it read plus one: the other's update is lost, as on the
        // platform when a read and its write have an await between them.
        #expect(try await slow.value == 1)
        #expect(try await stub.call(TestCounter.self) { try $0.ctx.storage.get("count") } == .integer(1))
        await harness.host.shutdown()
    }

    @Test("one instance per id; an idle one is evicted and built again from its storage")
    func evictionRebuildsFromStorage() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace().getByName("evicted-\(UUID().uuidString)")
        for _ in 0..<3 { _ = try await stub.call(TestCounter.self) { try $0.increment() } }
        #expect(TestCounter.builds.withLock { $0[stub.id.hex] } == 1)
        #expect(harness.host.liveObjects == 1)
        #expect(await harness.host.evictIdle() == 1)
        #expect(harness.host.liveObjects == 0)
        #expect(try await stub.call(TestCounter.self) { try $0.increment() } == 4)
        #expect(TestCounter.builds.withLock { $0[stub.id.hex] } == 2)
        await harness.host.shutdown()
    }

    @Test("state is kept across a restart of the runtime, in one SQLite file per object")
    func stateSurvivesRestart() async throws {
        let harness = try DurableObjectsHarness.make()
        let id = try harness.namespace().idFromName("kept")
        for _ in 0..<5 { _ = try await harness.namespace().get(id).call(TestCounter.self) { try $0.increment() } }
        let restarted = try await harness.restarted()
        #expect(try await restarted.namespace().get(id).call(TestCounter.self) { try $0.increment() } == 6)
        let file = "\(restarted.state)/do/tests-Counter/\(id.hex).sqlite"
        #expect(FileManager.default.fileExists(atPath: file))
        await restarted.host.shutdown()
    }

    @Test("the stub's fetch reaches the object's fetch")
    func stubFetch() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace().getByName("fetched")
        let response = try await stub.fetch(try Request(url: "https://do.local/hit"))
        #expect(try await response.body.json() == ["count": 1, "url": "https://do.local/hit"])
        await harness.host.shutdown()
    }

    @Test("calling a stub as the wrong class is an error naming both")
    func wrongClass() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace("PROBE").getByName("p")
        await #expect(throws: DurableObjectError.self) { _ = try await stub.call(TestCounter.self) { try $0.increment() } }
        await harness.host.shutdown()
    }

    @Test("blockConcurrencyWhile holds events back until it ends; a throw resets the object")
    func blockConcurrency() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace().getByName("blocked-\(UUID().uuidString)")
        _ = try await stub.call(TestCounter.self) { try $0.increment() }
        // Kept to look at the storage while the object holds events back (a call would wait too).
        let storage = try await stub.call(TestCounter.self) { $0.ctx.storage }
        let release = AsyncStream<Void>.makeStream()
        let blocking = Task {
            try await stub.call(TestCounter.self) { counter in
                try await counter.ctx.blockConcurrencyWhile {
                    for await _ in release.stream { break }
                }
            }
        }
        // Give the blocking call time to close the gate, then send one that must wait.
        try await Task.sleep(for: .milliseconds(50))
        let waiting = Task { try await stub.call(TestCounter.self) { try $0.increment() } }
        try await Task.sleep(for: .milliseconds(50))
        #expect(try storage.get("count") == .integer(1))
        release.continuation.yield()
        try await blocking.value
        #expect(try await waiting.value == 2)

        let builds = TestCounter.builds.withLock { $0[stub.id.hex] ?? 0 }
        await #expect(throws: Probe.ProbeFailure.self) {
            try await stub.call(TestCounter.self) { counter in
                try await counter.ctx.blockConcurrencyWhile { throw Probe.ProbeFailure() }
            }
        }
        #expect(try await stub.call(TestCounter.self) { try $0.increment() } == 3)
        #expect(TestCounter.builds.withLock { $0[stub.id.hex] ?? 0 } == builds + 1)
        await harness.host.shutdown()
    }

    @Test("blockConcurrencyWhile nests, and the object's own calls pass inside it")
    func nestedBlockConcurrency() async throws {
        let harness = try DurableObjectsHarness.make()
        let stub = try harness.namespace().getByName("nested")
        let count = try await stub.call(TestCounter.self) { counter in
            try await counter.ctx.blockConcurrencyWhile {
                try await counter.ctx.blockConcurrencyWhile {
                    try await stub.call(TestCounter.self) { try $0.increment() }
                }
            }
        }
        #expect(count == 1)
        await harness.host.shutdown()
    }

    @Test("a class no migration creates runs with key-value storage, and the host says so")
    func noMigration() async throws {
        let harness = try DurableObjectsHarness.make(config: DurableObjectsHarness.config(migrations: []))
        #expect(harness.host.warnings.count == 4)
        #expect(harness.host.warnings.first?.contains("new_sqlite_classes = [\"Counter\"]") == true)
        let stub = try harness.namespace().getByName("kv-only")
        await #expect(throws: DurableObjectError.self) {
            _ = try await stub.call(TestCounter.self) { try $0.ctx.storage.sql.exec("SELECT 1") }
        }
        await harness.host.shutdown()
    }

    @Test("a bound class that is not registered stops the start with how to register it")
    func unregisteredClass() throws {
        var config = DurableObjectsHarness.config()
        config.durableObjects.append(DurableObjectBindingConfig(name: "MISSING", className: "Nowhere"))
        let error = #expect(throws: WorkerError.self) {
            _ = try DurableObjectsHarness.make(config: config)
        }
        #expect(error?.message.contains("registry.register(durableObject: \"Nowhere\", Nowhere.self)") == true)
    }

    @Test("deleted_classes deletes the class's objects once; renamed_classes keeps ids and storage")
    func migrations() async throws {
        let harness = try DurableObjectsHarness.make()
        let id = try harness.namespace().idFromName("migrated")
        _ = try await harness.namespace().get(id).call(TestCounter.self) { try $0.increment() }

        // Counter renamed to Tally: the same id, the same count.
        var renamed = DurableObjectsHarness.config(migrations: [
            DurableObjectMigrationConfig(tag: "v1", newClasses: ["Legacy"], newSQLiteClasses: ["Counter", "Probe"]),
            DurableObjectMigrationConfig(tag: "v2", renamedClasses: [.init(from: "Counter", to: "Tally")]),
        ])
        renamed.durableObjects[0].className = "Tally"
        var registry = DurableObjectsHarness.registry
        registry.register(durableObject: "Tally", TestCounter.self)
        await harness.host.shutdown()
        let renamedHost = try DurableObjectsHost(
            config: renamed, registry: registry, stateDirectory: harness.state, clock: harness.clock, logger: Logger(label: "t", sink: MemoryLogSink()))
        var env = Env(fetch: NoNetwork(), clock: harness.clock)
        for (name, namespace) in renamedHost.bindings { env.setBinding(name, .durableObjects(namespace)) }
        renamedHost.setEnv(env)
        let tally = try env.durableObjects("COUNTER")
        #expect(tally.idFromName("migrated") == id)
        #expect(try await tally.get(id).call(TestCounter.self) { try $0.increment() } == 2)
        await renamedHost.shutdown()

        // Legacy deleted: its folder goes.
        let deleted = DurableObjectsHarness.config(migrations: [
            DurableObjectMigrationConfig(tag: "v1", newClasses: ["Legacy"], newSQLiteClasses: ["Counter", "Probe"]),
            DurableObjectMigrationConfig(tag: "v3", deletedClasses: ["Legacy"]),
        ])
        let legacyFolder = "\(harness.state)/do/tests-Legacy"
        let before = try DurableObjectsHarness.make(state: harness.state, clock: harness.clock)
        _ = try await before.namespace("LEGACY").getByName("old").call(TestCounter.self) { try $0.increment() }
        await before.host.shutdown()
        #expect(FileManager.default.fileExists(atPath: legacyFolder))
        var withoutLegacy = deleted
        withoutLegacy.durableObjects.removeAll { $0.name == "LEGACY" }
        let after = try DurableObjectsHarness.make(state: harness.state, clock: harness.clock, config: withoutLegacy)
        #expect(!FileManager.default.fileExists(atPath: legacyFolder))
        await after.host.shutdown()
    }
}
