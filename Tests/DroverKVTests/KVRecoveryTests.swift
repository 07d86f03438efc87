import Drover
import Foundation
import Testing

@testable import DroverKV

#if canImport(Glibc)
import Glibc
#endif

/// One record of a log file, as the scanner finds it.
struct LoggedRecord {
    var key: String
    var offset: Int64
    var length: Int
    var range: Range<Int> { Int(offset)..<Int(offset) + length }
}

enum LogFixture {
    /// The valid records of the log at `path`, and what the scan stepped over.
    static func scan(_ path: String) throws -> (records: [LoggedRecord], outcome: KVLogScanner.Outcome) {
        let file = try KVLogFile(path: path, create: false)
        var records: [LoggedRecord] = []
        let outcome = try KVLogScanner.scan(file, from: KVLogRecord.firstRecordOffset, to: try file.size()) { view, offset in
            records.append(LoggedRecord(key: String(decoding: view.key, as: UTF8.self), offset: offset, length: view.record.count))
        }
        return (records, outcome)
    }

    /// Reads, changes and writes back the file at `path`.
    static func edit(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func files(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.namespace).sorted()
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<start + needle.count]) == needle { return true }
        }
        return false
    }
}

@Suite("KV recovery from torn and damaged logs")
struct KVRecoveryTests {
    /// Where in a record a damage lands, and how the scanner must get past it.
    struct Damage: CustomTestStringConvertible, Sendable {
        var name: String
        /// Offset inside the record of the byte flipped.
        var at: Int
        var testDescription: String { name }
    }

    @Test(
        "a bit flip inside a record in the middle loses only that record: the later writes are read, the damage is kept aside and rewritten away",
        arguments: [
            Damage(name: "a value byte (only the CRC fails)", at: 200),
            Damage(name: "the CRC itself", at: 1),
            Damage(name: "the kind byte (lengths still agree)", at: 8),
            Damage(name: "the length field (the header no longer agrees: resynchronized)", at: 5),
            Damage(name: "the key length (resynchronized)", at: 10),
        ]
    )
    func middleRecord(damage: Damage) async throws {
        let directory = TemporaryDirectory()
        let long = String(repeating: "x", count: 1000)
        do {
            let kv = try KVTestFactory.make(directory)
            try await kv.put("victim", "old value")
            for n in 0..<20 { try await kv.put("before\(n)", "b\(n)") }
            try await kv.put("victim", "new value " + long)  // the record damaged below
            try await kv.put("lonely", "only value " + long)  // damaged too: no older value
            for n in 0..<50 { try await kv.put("after\(n)", "a\(n)") }
            try await kv.put("victim-after", "still here")
            kv.close()
        }
        let log = directory.namespace + "/log-1"
        let records = try LogFixture.scan(log).records
        let victim = try #require(records.last { $0.key == "victim" })
        let lonely = try #require(records.first { $0.key == "lonely" })
        try LogFixture.edit(log) { bytes in
            bytes[Int(victim.offset) + damage.at] ^= 0x04
            bytes[Int(lonely.offset) + 100] ^= 0x80
        }
        let damagedBytes = Array(try LogFixture.read(log)[victim.range.lowerBound..<lonely.range.upperBound])

        let sink = MemoryLogSink()
        let kv = try FileKVNamespace(
            directory: directory.namespace,
            clock: KVTestFactory.clock(),
            logger: Logger(label: "kv", level: .debug, sink: sink)
        )
        // Every write after the damage is there; the damaged ones read as if never made.
        for n in 0..<20 { #expect(try await kv.get("before\(n)") == "b\(n)") }
        for n in 0..<50 { #expect(try await kv.get("after\(n)") == "a\(n)") }
        #expect(try await kv.get("victim-after") == "still here")
        #expect(try await kv.get("victim") == "old value")
        #expect(try await kv.get("lonely") == nil)
        #expect(try kv.listAll().count == 20 + 50 + 2)

        // The two damaged records are adjacent: one stretch, kept aside, named by its offset.
        let aside = directory.namespace + "/damaged-1-\(victim.offset)"
        #expect(try LogFixture.read(aside) == damagedBytes)
        let warning = sink.lines.first { $0.contains("damaged bytes at offset \(victim.offset)") }
        #expect(warning?.contains("skipped \(damagedBytes.count) damaged bytes") == true, "\(sink.lines)")

        // The log was rewritten: the live log holds no damage, and none of the damaged bytes.
        #expect(try LogFixture.files(directory) == ["damaged-1-\(victim.offset)", "head", "log-2"])
        let rewritten = try LogFixture.scan(directory.namespace + "/log-2")
        #expect(rewritten.outcome.damage.isEmpty && !rewritten.outcome.tornTail)
        #expect(!LogFixture.contains(try LogFixture.read(directory.namespace + "/log-2"), damagedBytes))

        // Writes go on, and a fresh open agrees.
        try await kv.put("later", "write")
        kv.close()
        let reopened = try KVTestFactory.make(directory)
        #expect(try await reopened.get("victim") == "old value")
        #expect(try await reopened.get("lonely") == nil)
        #expect(try await reopened.get("after49") == "a49")
        #expect(try await reopened.get("later") == "write")
        #expect(try LogFixture.files(directory) == ["damaged-1-\(victim.offset)", "head", "log-2"])
    }

    @Test("a zeroed 4 KiB page in the middle: the records it touched are lost, every later one is read")
    func zeroedPage() async throws {
        let directory = TemporaryDirectory()
        do {
            let kv = try KVTestFactory.make(directory)
            for n in 0..<400 { try await kv.put("key\(n)", "value number \(n) " + String(repeating: "v", count: n % 50)) }
            kv.close()
        }
        let log = directory.namespace + "/log-1"
        let records = try LogFixture.scan(log).records
        let page = 8192..<12288
        try LogFixture.edit(log) { bytes in
            for i in page { bytes[i] = 0 }
        }
        let touched = records.filter { $0.range.overlaps(page) }
        let firstAfter = try #require(records.first { $0.range.lowerBound >= page.upperBound })
        #expect(touched.count > 10)

        let kv = try KVTestFactory.make(directory)
        for (n, record) in records.enumerated() {
            let value = try await kv.get(record.key)
            if touched.contains(where: { $0.key == record.key }) {
                #expect(value == nil, "\(record.key) was in the zeroed page")
            } else {
                #expect(value == "value number \(n) " + String(repeating: "v", count: n % 50))
            }
        }
        let start = try #require(touched.first).offset
        let aside = try LogFixture.read(directory.namespace + "/damaged-1-\(start)")
        #expect(aside.count == Int(firstAfter.offset - start))
        #expect(try LogFixture.files(directory) == ["damaged-1-\(start)", "head", "log-2"])
        #expect(try LogFixture.scan(directory.namespace + "/log-2").outcome.damage.isEmpty)
        #expect(try kv.listAll().count == records.count - touched.count)
    }

    @Test("a damaged record is skipped whole: a log record stored inside its value is never taken for one")
    func recordInsideAValue() async throws {
        let directory = TemporaryDirectory()
        let ghost = KVLogRecord.encode(kind: .put, key: utf8("ghost"), metadata: [], value: utf8("boo"), expiration: 0)
        do {
            let kv = try KVTestFactory.make(directory)
            try await kv.put("first", "1")
            try await kv.put("carrier", value: [1, 2, 3] + ghost + [4, 5, 6], options: KVPutOptions())
            try await kv.put("last", "2")
            kv.close()
        }
        let log = directory.namespace + "/log-1"
        let carrier = try #require(try LogFixture.scan(log).records.first { $0.key == "carrier" })
        try LogFixture.edit(log) { $0[Int(carrier.offset)] ^= 0xFF }  // the CRC: the header still agrees

        let kv = try KVTestFactory.make(directory)
        #expect(try await kv.get("ghost") == nil)
        #expect(try await kv.get("carrier") == nil)
        #expect(try await kv.get("first") == "1")
        #expect(try await kv.get("last") == "2")
        #expect(try LogFixture.read(directory.namespace + "/damaged-1-\(carrier.offset)").count == carrier.length)
    }

    @Test("damage running to the end of the log is a torn tail: cut off and kept aside, no rewrite")
    func damageToTheEnd() async throws {
        let directory = TemporaryDirectory()
        do {
            let kv = try KVTestFactory.make(directory)
            for n in 0..<30 { try await kv.put("k\(n)", "v\(n)") }
            kv.close()
        }
        let log = directory.namespace + "/log-1"
        let records = try LogFixture.scan(log).records
        let cut = records[27]
        let intact = Array(try LogFixture.read(log)[..<Int(cut.offset)])
        try LogFixture.edit(log) { bytes in
            for i in (Int(cut.offset) + 3)..<bytes.count { bytes[i] = 0 }  // records 27, 28 and 29
        }
        let kv = try KVTestFactory.make(directory)
        for n in 0..<27 { #expect(try await kv.get("k\(n)") == "v\(n)") }
        for n in 27..<30 { #expect(try await kv.get("k\(n)") == nil) }
        #expect(try LogFixture.read(log) == intact)
        #expect(try LogFixture.files(directory) == ["head", "log-1", "torn-1-\(cut.offset)"])

        // Garbage appended after whole records is a torn tail too.
        kv.close()
        try LogFixture.edit(log) { $0 += (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } }
        let again = try KVTestFactory.make(directory)
        #expect(try LogFixture.read(log) == intact)
        #expect(try await again.get("k26") == "v26")
    }

    @Test("damage inside records another process appended: the next writer steps over it, the next maintenance rewrites it")
    func damageFoundByAWriter() async throws {
        let directory = TemporaryDirectory()
        let writer = try KVTestFactory.make(directory)
        let other = try KVTestFactory.make(directory)  // has read nothing of what follows
        for n in 0..<10 { try await writer.put("k\(n)", "v\(n)") }
        try await writer.put("victim", "damaged below")
        for n in 10..<20 { try await writer.put("k\(n)", "v\(n)") }
        let log = directory.namespace + "/log-1"
        let victim = try #require(try LogFixture.scan(log).records.first { $0.key == "victim" })
        try LogFixture.edit(log) { $0[Int(victim.offset) + 30] ^= 0x10 }

        try await other.put("other", "write")  // catches up under the writer lock: finds the damage
        #expect(try await other.get("k19") == "v19")
        #expect(try await other.get("victim") == nil)
        #expect(try LogFixture.files(directory) == ["damaged-1-\(victim.offset)", "head", "log-1"])
        // One damaged record is far below the dead share that compacts; the damage compacts anyway.
        #expect(try other.reclaimExpired().compacted)
        #expect(try LogFixture.files(directory) == ["damaged-1-\(victim.offset)", "head", "log-2"])
        #expect(try LogFixture.scan(directory.namespace + "/log-2").outcome.damage.isEmpty)
        // The first process switches to the rewritten log, which holds no victim.
        #expect(try await writer.get("victim") == nil)
        #expect(try await writer.get("other") == "write")
        #expect(try writer.listAll().count == 21)
    }
}
