import Drover
import DroverTestSupport
import Foundation
import Synchronization
import Testing

@testable import DroverKV

/// Holds a compaction at the end of its first copied batch (``FileKVNamespace/Tuning/compactionBatchCopied``)
/// until the test lets it go.
///
/// `@unchecked Sendable`: its stored properties are semaphores and an atomic, all safe to use from
/// any thread (Linux's Dispatch does not mark `DispatchSemaphore` `Sendable`).
final class CompactionGate: @unchecked Sendable {
    private let paused = DispatchSemaphore(value: 0)
    private let resumed = DispatchSemaphore(value: 0)
    private let calls = Atomic<Int>(0)

    /// The hook: the first call says so and waits to be resumed (at most two minutes, a hang guard).
    func batchCopied() {
        guard calls.add(1, ordering: .relaxed).oldValue == 0 else { return }
        paused.signal()
        _ = resumed.wait(timeout: .now() + 120)
    }

    /// Waits until a compaction is held (at most a minute, a hang guard).
    func waitUntilPaused() -> Bool { paused.wait(timeout: .now() + 60) == .success }

    /// Lets the held compaction go on.
    func resume() { resumed.signal() }

    /// How many batches were copied.
    var batches: Int { calls.load(ordering: .relaxed) }
}

/// Starts `body` on a thread of its own; the group is left when it returns.
func startThread(_ body: @escaping @Sendable () -> Void) -> DispatchGroup {
    let group = DispatchGroup()
    group.enter()
    Thread {
        body()
        group.leave()
    }.start()
    return group
}


@Suite("KV compaction alongside reads and writes")
struct KVCompactionTests {
    /// Checks that `kv` holds exactly `expected` (key → value).
    static func check(_ kv: FileKVNamespace, _ expected: [String: String], _ label: String) throws {
        for (key, value) in expected {
            let found = try kv.getWithMetadata(rawKey: utf8(key))?.value
            #expect(found == utf8(value), "\(label): \(key)")
        }
        let listed = try kv.listAll().map(\.name)
        #expect(listed.count == expected.count, "\(label): \(listed.count) keys listed, \(expected.count) expected")
        #expect(Set(listed) == Set(expected.keys), "\(label): listed keys differ")
    }

    @Test("a compaction held mid-copy holds up no get, put, overwrite, delete or list, and keeps every acknowledged write")
    func heldMidCopy() throws {
        let directory = TemporaryDirectory()
        let clock = KVTestFactory.clock()
        let gate = CompactionGate()
        var tuning = FileKVNamespace.Tuning(maintenanceInterval: .max)
        tuning.compactionBatchCopied = { gate.batchCopied() }
        let kv = try KVTestFactory.make(directory, clock: clock, tuning: tuning)
        // 10 000 keys, then every even one again: 15 000 records in four copy batches, a third dead.
        // The first batch (records 0..<4096) holds k1 and k3 live; k9997 and k9999 come in the third.
        var expected: [String: String] = [:]
        try kv.put(batch: (0..<10_000).map { (utf8("k\($0)"), utf8("v\($0)"), KVPutOptions()) })
        try kv.put(batch: stride(from: 0, to: 10_000, by: 2).map { (utf8("k\($0)"), utf8("w\($0)"), KVPutOptions()) })
        for n in 0..<10_000 { expected["k\(n)"] = n % 2 == 0 ? "w\(n)" : "v\(n)" }
        try kv.put(rawKey: utf8("expiring"), value: utf8("soon gone"), options: KVPutOptions(expirationTtl: 60))

        let report = Mutex<FileKVNamespace.ReclaimReport?>(nil)
        let failures = ThreadFailures()
        let compaction = startThread {
            failures.capture("compact") {
                let done = try kv.compact()
                report.withLock { $0 = done }
            }
        }
        try #require(gate.waitUntilPaused(), "the compaction never reached its first batch")

        // The compaction is held between two batches, holding the folder's compaction lock. Each
        // of these would wait for it forever if it held the namespace lock (as it did): the bounded
        // wait is a hang guard only.
        let finished = runOnThreads(timeout: 60, [
            {
                failures.capture("calls during the copy") {
                    try kv.put(rawKey: utf8("new"), value: utf8("during"), options: KVPutOptions())
                    try kv.put(rawKey: utf8("k1"), value: utf8("x1"), options: KVPutOptions())  // already copied
                    try kv.put(rawKey: utf8("k9999"), value: utf8("x9999"), options: KVPutOptions())  // not yet
                    try kv.delete(rawKey: utf8("k3"))  // already copied
                    try kv.delete(rawKey: utf8("k9997"))  // not yet
                    if try kv.getWithMetadata(rawKey: utf8("k2"))?.value != utf8("w2") {
                        failures.record("get k2 during the copy")
                    }
                    if try kv.getWithMetadata(rawKey: utf8("k1"))?.value != utf8("x1") {
                        failures.record("get k1 after its overwrite during the copy")
                    }
                    if try kv.list(rawPrefix: utf8("k999"), limit: 100, cursor: nil).keys.count != 10 {
                        failures.record("list during the copy")
                    }
                }
            }
        ])
        #expect(finished, "a call waited for the held compaction")
        clock.advance(by: 60)  // "expiring" expires while the compaction is held
        gate.resume()
        #expect(compaction.wait(timeout: .now() + 120) == .success, "the compaction did not finish")
        #expect(failures.all == [])

        let done = try #require(report.withLock { $0 })
        #expect(done.compacted)
        #expect(gate.batches >= 3)
        expected["new"] = "during"
        expected["k1"] = "x1"
        expected["k9999"] = "x9999"
        expected["k3"] = nil
        expected["k9997"] = nil
        try Self.check(kv, expected, "after the compaction")
        #expect(try kv.getWithMetadata(rawKey: utf8("expiring")) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.namespace).sorted() == ["head", "log-2"])
        kv.close()
        let reopened = try KVTestFactory.make(directory, clock: clock)
        try Self.check(reopened, expected, "reopened")
        #expect(try reopened.getWithMetadata(rawKey: utf8("expiring")) == nil)
    }

    @Test(
        "writers on two namespace objects while both compact over and over: the store matches a model",
        arguments: [11, 23, 37] as [UInt64]
    )
    func randomized(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let clock = KVTestFactory.clock()
        let tuning = FileKVNamespace.Tuning(maintenanceInterval: 97, compactionMinimumDeadBytes: 1)
        let namespaces = [
            try KVTestFactory.make(directory, clock: clock, tuning: tuning),
            try KVTestFactory.make(directory, clock: clock, tuning: tuning),
        ]
        let failures = ThreadFailures()
        let writersLeft = Atomic<Int>(4)
        let compactions = Atomic<Int>(0)
        // Each writer owns its keys, so its own history is their model: key → (value, expiration)
        // after a put, nil after a delete.
        let models = Mutex<[String: (value: [UInt8], expiration: Int64)?]>([:])
        var bodies: [@Sendable () -> Void] = []
        for writer in 0..<4 {
            bodies.append {
                defer { writersLeft.subtract(1, ordering: .releasing) }
                let kv = namespaces[writer % 2]
                var random = SplitMix64(seed: seed &* 1000 &+ UInt64(writer))
                var model: [String: (value: [UInt8], expiration: Int64)?] = [:]
                failures.capture("writer \(writer)") {
                    for step in 0..<1500 {
                        let key = "w\(writer)-\(random.next() % 60)"
                        switch random.next() % 10 {
                        case 0..<6:
                            let value = utf8("\(writer):\(step):") + [UInt8](repeating: 0x61, count: Int(random.next() % 2000))
                            let expiring = random.next() % 3 == 0
                            let expiration = expiring ? testStart + 1000 + Int64(random.next() % 2000) : 0
                            do {
                                try kv.put(
                                    rawKey: utf8(key),
                                    value: value,
                                    options: KVPutOptions(expiration: expiring ? expiration : nil)
                                )
                                model[key] = (value, expiration)
                            } catch is KVError {
                                // The clock passed the expiration's minimum: refused, nothing written.
                            }
                        case 6..<8:
                            try kv.delete(rawKey: utf8(key))
                            model[key] = .some(nil)
                        default:
                            let found = try kv.getWithMetadata(rawKey: utf8(key))?.value
                            let latest = model[key] ?? nil
                            let mayHaveExpired = latest.map { $0.expiration != 0 && $0.expiration <= clock.nowSeconds() } ?? false
                            if found != latest?.value && !(found == nil && mayHaveExpired) {
                                failures.record("writer \(writer) step \(step): \(key) read \(found?.count ?? -1) bytes")
                            }
                        }
                    }
                }
                models.withLock { $0.merge(model) { _, new in new } }
            }
        }
        for compactor in 0..<2 {
            bodies.append {
                failures.capture("compactor \(compactor)") {
                    while writersLeft.load(ordering: .acquiring) > 0 {
                        _ = try namespaces[compactor].compact()
                        compactions.add(1, ordering: .relaxed)
                        if compactor == 0 { clock.advance(by: 10) }
                    }
                }
            }
        }
        #expect(runOnThreads(bodies), "writers or compactions did not finish")
        #expect(failures.all == [])
        #expect(compactions.load(ordering: .relaxed) >= 2)

        let now = clock.nowSeconds()
        var expected: [String: String] = [:]
        var expectedBytes: [String: [UInt8]] = [:]
        for (key, latest) in models.withLock({ $0 }) {
            guard let latest, latest.expiration == 0 || latest.expiration > now else { continue }
            expected[key] = String(decoding: latest.value, as: UTF8.self)
            expectedBytes[key] = latest.value
        }
        let reopened = try KVTestFactory.make(directory, clock: clock)
        for (label, kv) in [("first", namespaces[0]), ("second", namespaces[1]), ("reopened", reopened)] {
            try Self.check(kv, expected, "seed \(seed), \(label)")
        }
    }

    @Test("a failed fsync of the folder after the rename abandons the swap: the old log stays current")
    func folderSyncFailure() async throws {
        let directory = TemporaryDirectory()
        let failures = Atomic<Int>(0)
        var tuning = FileKVNamespace.Tuning(maintenanceInterval: .max)
        tuning.compactionWillSyncFolder = {
            if failures.add(1, ordering: .relaxed).oldValue == 0 {
                throw KVStoreError.io("fsync", path: "the namespace folder", errno: EIO)
            }
        }
        let kv = try KVTestFactory.make(directory, tuning: tuning)
        for n in 0..<100 { try await kv.put("k\(n)", "v\(n)") }
        for n in 0..<50 { try await kv.delete("k\(n)") }
        #expect(throws: KVStoreError.self) { try kv.compact() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.namespace).sorted() == ["head", "log-1"])
        #expect(try await kv.get("k60") == "v60")
        try await kv.put("after", "failure")
        let other = try KVTestFactory.make(directory)
        #expect(try await other.get("after") == "failure")
        #expect(try other.listAll().count == 51)
        // The next compaction goes through.
        #expect(try kv.compact().compacted)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.namespace).sorted() == ["head", "log-2"])
        #expect(try await other.get("after") == "failure")
        #expect(try await kv.get("k0") == nil)
    }

    @Test("background maintenance runs on its own queue: not on the writer's thread, not in a Swift task")
    func maintenanceQueue() throws {
        let directory = TemporaryDirectory()
        let ran = DispatchSemaphore(value: 0)
        let seen = Mutex<[(inTask: Bool, thread: pthread_t)]>([])
        var tuning = FileKVNamespace.Tuning(maintenanceInterval: 10, compactionMinimumDeadBytes: 1)
        tuning.compactionBatchCopied = {
            let inTask = withUnsafeCurrentTask { $0 != nil }
            seen.withLock { $0.append((inTask, pthread_self())) }
            ran.signal()
        }
        let kv = try KVTestFactory.make(directory, tuning: tuning)
        let value = [UInt8](repeating: 1, count: 1000)
        for round in 0..<5 {
            for n in 0..<10 { try kv.put(rawKey: utf8("k\(n)"), value: value + [UInt8(round)], options: KVPutOptions()) }
        }
        // The tenth write queued a maintenance, which compacts (most records are dead).
        #expect(ran.wait(timeout: .now() + 60) == .success, "no background compaction ran")
        let runs = seen.withLock { $0 }
        let writer = pthread_self()
        #expect(!runs.isEmpty)
        for run in runs {
            #expect(!run.inTask)
            #expect(pthread_equal(run.thread, writer) == 0)
        }
    }
}
