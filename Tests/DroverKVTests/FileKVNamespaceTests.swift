import Drover
import Foundation
import Testing

@testable import DroverKV

@Suite("FileKVNamespace behaviour")
struct FileKVNamespaceTests {
    @Test("get in text, JSON, bytes and stream forms; absent keys are nil")
    func getForms() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("text", "héllo")
        try await kv.put("json", json: ["a": 1, "b": [true, nil]])
        try await kv.put("bytes", value: [0, 255, 10], options: KVPutOptions())
        try await kv.put(
            "stream",
            body: Body.writer { write in
                write(Array("chunk1-".utf8))
                write(Array("chunk2".utf8))
            }
        )
        #expect(try await kv.get("text") == "héllo")
        #expect(try await kv.getJSON("json") == ["a": 1, "b": [true, nil]])
        #expect(try await kv.getBytes("bytes") == [0, 255, 10])
        #expect(try await kv.get("stream") == "chunk1-chunk2")
        let body = try #require(try await kv.getStream("text"))
        #expect(body.knownLength == 6)
        #expect(try await body.text() == "héllo")
        #expect(try await kv.get("absent") == nil)
        #expect(try await kv.getStream("absent") == nil)
        #expect(try await kv.getWithMetadata("absent") == nil)
        // An empty value is a value.
        try await kv.put("empty", "")
        #expect(try await kv.get("empty") == "")
    }

    @Test("put replaces; delete removes; deleting an absent key is fine")
    func putDelete() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("k", "one", options: KVPutOptions(metadata: ["v": 1]))
        try await kv.put("k", "two")
        let entry = try #require(try await kv.getWithMetadata("k"))
        #expect(entry.text == "two")
        #expect(entry.metadata == nil)
        try await kv.delete("k")
        #expect(try await kv.get("k") == nil)
        try await kv.delete("k")
        try await kv.delete("never")
    }

    @Test("getWithMetadata returns metadata and expiration")
    func metadata() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("k", "v", options: KVPutOptions(expirationTtl: 3600, metadata: ["owner": "ana", "n": 3]))
        let entry = try #require(try await kv.getWithMetadata("k"))
        #expect(entry.metadata == ["owner": "ana", "n": 3])
        #expect(entry.expiration == testStart + 3600)
        let listed = try await kv.list()
        #expect(listed.keys == [KVListResult.Key(name: "k", expiration: testStart + 3600, metadata: ["owner": "ana", "n": 3])])
    }

    @Test("bulk get as text and JSON; a non-JSON value fails the JSON form")
    func bulkGet() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("a", json: ["x": 1])
        try await kv.put("b", "\"s\"")
        let text = try await kv.get(["a", "b", "c"], type: .text)
        #expect(text["a"] == .some(.text("{\"x\":1}")))
        #expect(text["c"] == .some(nil))
        let json = try await kv.get(["a", "b", "c"], type: .json)
        #expect(json["a"] == .some(.json(["x": 1])))
        #expect(json["b"] == .some(.json("s")))
        try await kv.put("bad", "not json")
        #expect(
            await kvMessage { _ = try await kv.get(["a", "bad"], type: .json) }
                == "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value"
        )
    }

    @Test("list: byte order of UTF-8, literal prefix, no cursor on a complete page")
    func listOrder() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let names = ["b", "a", "é", "z", "A", "a*", "a%", "ab", "\u{1F600}", "\u{FFFD}", "a_"]
        for name in names { try await kv.put(name, "v") }
        let all = try await kv.list()
        #expect(all.keys.map(\.name) == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(all.listComplete)
        #expect(all.cursor == nil)
        #expect(try await kv.list(prefix: "a").keys.map(\.name) == ["a", "a%", "a*", "a_", "ab"])
        #expect(try await kv.list(prefix: "a*").keys.map(\.name) == ["a*"])
        #expect(try await kv.list(prefix: "a%").keys.map(\.name) == ["a%"])
        #expect(try await kv.list(prefix: "nothing").keys.isEmpty)
        // A page that ends exactly at the last key is complete.
        let exact = try await kv.list(prefix: "a", limit: 5)
        #expect(exact.listComplete && exact.cursor == nil)
    }

    @Test("list pagination over 2 500 keys with a prefix, while other keys surround them")
    func pagination() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        var expected: [String] = []
        for n in 0..<2500 {
            let key = "user:\(String(n * 7919 % 10007, radix: 16))"
            expected.append(key)
            try await kv.put(key, "\(n)")
            if n % 5 == 0 {
                try await kv.put("users\(n)", "other")
                try await kv.put("user\(n)", "other")
            }
        }
        expected.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for limit in [1000, 333, 1] {
            var seen: [String] = []
            var cursor: String? = nil
            var pages = 0
            repeat {
                let page = try await kv.list(prefix: "user:", limit: limit, cursor: cursor)
                pages += 1
                #expect(page.keys.count <= limit)
                #expect(page.listComplete == (page.cursor == nil))
                seen += page.keys.map(\.name)
                cursor = page.cursor
            } while cursor != nil
            #expect(seen == expected)
            #expect(pages == (expected.count + limit - 1) / limit)
        }
        // Keys written between pages: the cursor means "start after", so later keys still appear.
        let first = try await kv.list(prefix: "user:", limit: 10)
        try await kv.put("user:", "the prefix itself")  // sorts before the cursor: not seen again
        try await kv.put("user:zzz", "after")
        try await kv.delete(expected[10])
        var rest: [String] = []
        var cursor = first.cursor
        while let next = cursor {
            let page = try await kv.list(prefix: "user:", limit: 1000, cursor: next)
            rest += page.keys.map(\.name)
            cursor = page.cursor
        }
        #expect(rest.first == expected[11])
        #expect(rest.last == "user:zzz")
        #expect(rest.count == expected.count - 11 + 1)
        #expect(!rest.contains("user:"))
    }

    @Test("an expired key is gone from get and list at the expiration second, inclusive")
    func expiry() async throws {
        let directory = TemporaryDirectory()
        let clock = KVTestFactory.clock()
        let kv = try KVTestFactory.make(directory, clock: clock)
        try await kv.put("short", "v", options: KVPutOptions(expirationTtl: 60))
        try await kv.put("long", "v", options: KVPutOptions(expiration: testStart + 3600))
        try await kv.put("forever", "v")
        clock.advance(by: 59.999)
        #expect(try await kv.get("short") == "v")
        #expect(try await kv.list().keys.map(\.name) == ["forever", "long", "short"])
        clock.advance(by: 0.001)  // now == expiration
        #expect(try await kv.get("short") == nil)
        #expect(try await kv.getWithMetadata("short") == nil)
        #expect(try await kv.get(["short", "long"], type: .text)["short"] == .some(nil))
        #expect(try await kv.list().keys.map(\.name) == ["forever", "long"])
        // A page of 1 stops before an expired key and does not point past the end.
        clock.set(Date(timeIntervalSince1970: TimeInterval(testStart + 3600)))
        let page = try await kv.list(limit: 1)
        #expect(page.keys.map(\.name) == ["forever"])
        #expect(page.listComplete)
        // Re-putting an expired key brings it back.
        try await kv.put("short", "again")
        #expect(try await kv.get("short") == "again")
    }

    @Test("expired entries are reclaimed: the log shrinks and a reopened store does not resurrect them")
    func reclaim() async throws {
        let directory = TemporaryDirectory()
        let clock = KVTestFactory.clock()
        let kv = try KVTestFactory.make(directory, clock: clock, tuning: .init(maintenanceInterval: .max))
        let value = [UInt8](repeating: 7, count: 1000)
        for n in 0..<200 {
            try await kv.put("k\(n)", value: value, options: KVPutOptions(expirationTtl: n % 2 == 0 ? 60 : nil))
        }
        let before = try kv.diskUsage()
        clock.advance(by: 60)
        let report = try kv.reclaimExpired()
        #expect(report.expiredKeys == 100)
        #expect(report.compacted)
        #expect(try kv.diskUsage() < before * 6 / 10)
        #expect(try await kv.list().keys.count == 100)
        #expect(try await kv.getBytes("k1") == value)
        kv.close()
        clock.advance(by: -60)  // even with the clock moved back, reclaimed keys are gone from disk
        let reopened = try KVTestFactory.make(directory, clock: clock)
        #expect(try await reopened.get("k0") == nil)
        #expect(try await reopened.getBytes("k199") == value)
    }

    @Test("background maintenance compacts after enough writes")
    func backgroundCompaction() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(
            directory,
            tuning: .init(maintenanceInterval: 50, compactionMinimumDeadBytes: 1)
        )
        let value = [UInt8](repeating: 1, count: 4096)
        for round in 0..<20 {
            for n in 0..<10 { try await kv.put("k\(n)", value: value + [UInt8(round)], options: KVPutOptions()) }
        }
        // Maintenance runs in a detached task; wait for it by reclaiming (which takes the same lock) —
        // the log never holds more than a bounded multiple of the live data.
        _ = try kv.reclaimExpired()
        #expect(try kv.diskUsage() < Int64(10 * 4200 * 3 + 4096 + 16))
        for n in 0..<10 { #expect(try await kv.getBytes("k\(n)") == value + [19]) }
    }

    @Test("hostile keys are ordinary keys and never escape the namespace folder")
    func hostileKeys() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let keys = [
            "../../etc/passwd", "/absolute", "a/b/../c", "\0", "nul\0inside", "~", "CON", "key with spaces\n",
            String(repeating: "/", count: 512), String(repeating: "é", count: 256), "head", "log-1", "log-2.tmp",
        ]
        for (n, key) in keys.enumerated() { try await kv.put(key, "value \(n)") }
        for (n, key) in keys.enumerated() { #expect(try await kv.get(key) == "value \(n)") }
        #expect(try await kv.list().keys.count == keys.count)
        // Non-UTF-8 bytes through the raw-key API.
        let raw: [[UInt8]] = [[0xFF, 0xFE], [0xC3], [0x2E, 0x2E, 0x2F, 0x00, 0x80], [UInt8](repeating: 0xFF, count: 512)]
        for (n, key) in raw.enumerated() { try kv.put(rawKey: key, value: [UInt8(n)], options: KVPutOptions()) }
        for (n, key) in raw.enumerated() { #expect(try kv.getWithMetadata(rawKey: key)?.value == [UInt8(n)]) }
        let listed = try kv.list(rawPrefix: [0xFF], limit: nil, cursor: nil)
        #expect(listed.keys.map(\.bytes) == [[0xFF, 0xFE], [UInt8](repeating: 0xFF, count: 512)])
        // The folders around hold nothing new, and the namespace folder only its own files.
        let outside = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/kv")
        #expect(outside == ["test-namespace"])
        let inside = try FileManager.default.contentsOfDirectory(atPath: directory.namespace).sorted()
        #expect(inside == ["head", "log-1"])
        kv.close()
        let reopened = try KVTestFactory.make(directory)
        for (n, key) in keys.enumerated() { #expect(try await reopened.get(key) == "value \(n)") }
        for (n, key) in raw.enumerated() { #expect(try reopened.getWithMetadata(rawKey: key)?.value == [UInt8(n)]) }
    }

    @Test("data survives reopening, including after compaction")
    func reopen() async throws {
        let directory = TemporaryDirectory()
        do {
            let kv = try KVTestFactory.make(directory)
            for n in 0..<300 { try await kv.put("k\(n)", "v\(n)", options: KVPutOptions(metadata: ["n": .integer(Int64(n))])) }
            for n in stride(from: 0, to: 300, by: 3) { try await kv.delete("k\(n)") }
            try kv.compact()
            try await kv.put("after", "compaction")
            kv.close()
        }
        let kv = try KVTestFactory.make(directory)
        #expect(try await kv.get("k0") == nil)
        #expect(try await kv.getWithMetadata("k1") == KVEntry(value: Array("v1".utf8), metadata: ["n": 1]))
        #expect(try await kv.get("after") == "compaction")
        #expect(try kv.listAll().count == 201)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.namespace).sorted() == ["head", "log-2"])
    }

    @Test("a closed namespace refuses further calls")
    func closed() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        kv.close()
        await #expect(throws: KVStoreError.self) { try await kv.get("k") }
        await #expect(throws: KVStoreError.self) { try await kv.put("k", "v") }
    }

    @Test("a folder holding something else is refused, not overwritten")
    func foreignFiles() async throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.namespace, withIntermediateDirectories: true)
        try Data("not a kv log at all".utf8).write(to: URL(fileURLWithPath: directory.namespace + "/log-1"))
        #expect(throws: KVStoreError.self) { try KVTestFactory.make(directory) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.namespace + "/log-1")) == Data("not a kv log at all".utf8))
    }
}

@Suite("FileKVNamespace opening")
struct FileKVNamespaceOpeningTests {
    @Test("a namespace folder that cannot be created is a clear error")
    func unwritableFolder() throws {
        let directory = TemporaryDirectory()
        let blocker = directory.path + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        do {
            _ = try FileKVNamespace(directory: blocker + "/ns", clock: SystemWallClock(), logger: .disabled)
            Issue.record("opened a namespace under a regular file")
        } catch let error as KVStoreError {
            #expect(error.isKind(of: .ioFailure))
            #expect(error.message.contains(blocker))
        }
    }
}

extension FileKVNamespaceOpeningTests {
    @Test("a head file of another format is refused and left as it was, with nothing of it left open")
    func foreignHead() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.namespace, withIntermediateDirectories: true)
        let head = directory.namespace + "/head"
        let foreign = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) })
        try foreign.write(to: URL(fileURLWithPath: head))
        do {
            _ = try KVTestFactory.make(directory)
            Issue.record("opened a namespace whose head file is not one")
        } catch let error as KVStoreError {
            #expect(error.isKind(of: .notAStoreFailure))
            #expect(error.message == "\(head) is not a Drover KV store: unknown head file format")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: head)) == foreign)
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")) == head
        }
        #expect(open.isEmpty)
    }

    @Test("a lost head file does not lose the log: the existing generation is adopted")
    func lostHead() async throws {
        let directory = TemporaryDirectory()
        do {
            let kv = try KVTestFactory.make(directory)
            try await kv.put("a", "1")
            try kv.compact()
            try await kv.put("b", "2")
            kv.close()
        }
        try FileManager.default.removeItem(atPath: directory.namespace + "/head")
        let kv = try KVTestFactory.make(directory)
        #expect(try await kv.get("a") == "1")
        #expect(try await kv.get("b") == "2")
        try await kv.put("c", "3")
        let other = try KVTestFactory.make(directory)
        #expect(try await other.get("c") == "3")
    }
}
