import Drover
import DroverKV
import Foundation
import Testing

@Suite("KV concurrency and sharing between processes")
struct KVConcurrencyTests {
    @Test("many tasks reading and writing at once")
    func concurrentTasks() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory, tuning: .init(cacheBytes: 64 << 10, maintenanceInterval: 200))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for n in 0..<200 {
                        try await kv.put("w\(writer)-\(n % 50)", "\(writer):\(n)")
                        if n % 7 == 0 { try await kv.delete("w\(writer)-\((n + 1) % 50)") }
                    }
                }
            }
            for reader in 0..<8 {
                group.addTask {
                    for n in 0..<300 {
                        if let value = try await kv.get("w\(reader)-\(n % 50)") {
                            #expect(value.hasPrefix("\(reader):"))
                        }
                        if n % 50 == 0 { _ = try await kv.list(prefix: "w\(reader)-") }
                    }
                }
            }
            try await group.waitForAll()
        }
        for writer in 0..<8 {
            // The last write of each key wins: n = 150...199 wrote n % 50 last.
            let value = try await kv.get("w\(writer)-49")
            #expect(value == "\(writer):199")
        }
        kv.close()
        let reopened = try KVTestFactory.make(directory)
        #expect(try await reopened.get("w3-49") == "3:199")
    }

    @Test("two namespaces on one folder (as two processes) see each other's writes")
    func twoInstances() async throws {
        let directory = TemporaryDirectory()
        let first = try KVTestFactory.make(directory)
        let second = try KVTestFactory.make(directory)
        try await first.put("a", "from first")
        #expect(try await second.get("a") == "from first")
        try await second.put("a", "from second", options: KVPutOptions(metadata: ["by": 2]))
        #expect(try await first.getWithMetadata("a") == KVEntry(value: Array("from second".utf8), metadata: ["by": 2]))
        try await second.delete("a")
        #expect(try await first.get("a") == nil)
        // Cached values are invalidated by the other's writes.
        try await first.put("hot", "1")
        #expect(try await first.get("hot") == "1")
        try await second.put("hot", "2")
        #expect(try await first.get("hot") == "2")
        // Interleaved writers: both histories end up in one log, in order.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for n in 0..<300 { try await first.put("f\(n)", "\(n)") } }
            group.addTask { for n in 0..<300 { try await second.put("s\(n)", "\(n)") } }
            try await group.waitForAll()
        }
        #expect(try await first.list(prefix: "s").keys.count == 300)
        #expect(try await second.list(prefix: "f").keys.count == 300)
        // A compaction by one switches the other to the new generation.
        try await first.delete("f0")
        try first.compact()
        #expect(try await second.get("f1") == "1")
        #expect(try await second.get("f0") == nil)
        try await second.put("after", "compaction")
        #expect(try await first.get("after") == "compaction")
        try second.compact()
        try await first.put("again", "x")
        #expect(try await second.get("again") == "x")
        let firstCount = try first.listAll().count
        let secondCount = try second.listAll().count
        #expect(firstCount == secondCount)
    }

    @Test("a torn tail is cut off on open and earlier records stay")
    func tornTail() async throws {
        let directory = TemporaryDirectory()
        do {
            let kv = try KVTestFactory.make(directory)
            for n in 0..<50 { try await kv.put("k\(n)", "v\(n)") }
            kv.close()
        }
        let log = directory.namespace + "/log-1"
        let intact = try Data(contentsOf: URL(fileURLWithPath: log))
        // A record cut short: the first 40 bytes of a valid 1 KiB put.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        var partial = Data(intact.suffix(from: 16).prefix(26))
        partial.append(Data(repeating: 0x41, count: 14))
        try handle.write(contentsOf: partial)
        try handle.close()
        let kv = try KVTestFactory.make(directory)
        for n in 0..<50 { #expect(try await kv.get("k\(n)") == "v\(n)") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: log)) == intact)
        try await kv.put("next", "write")
        kv.close()
        let again = try KVTestFactory.make(directory)
        #expect(try await again.get("next") == "write")
        #expect(try again.listAll().count == 51)
    }

    @Test("a damaged record (bad checksum) at the tail is dropped, not read as a value")
    func damagedRecord() async throws {
        let directory = TemporaryDirectory()
        do {
            let kv = try KVTestFactory.make(directory)
            try await kv.put("keep", "kept")
            try await kv.put("flip", String(repeating: "x", count: 100))
            kv.close()
        }
        let url = URL(fileURLWithPath: directory.namespace + "/log-1")
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 5] ^= 0x01
        try bytes.write(to: url)
        let kv = try KVTestFactory.make(directory)
        #expect(try await kv.get("keep") == "kept")
        #expect(try await kv.get("flip") == nil)
    }
}
