import CSQLite
import Drover
import DroverKV
import Foundation
import Synchronization

/// `Benchmarks kv [--keys N] [--stall-mb M]`: DroverKV's file store against a SQLite baseline in the same run.
///
/// The baseline is what one would write with SQLite: one table (`key BLOB PRIMARY KEY, value BLOB`),
/// WAL, `synchronous=NORMAL` (no fsync per commit, as DroverKV), a 64 MiB page cache (DroverKV's
/// value cache budget), prepared statements, one autocommit transaction per put.
enum KVBenchmark {
    static func run(arguments: [String]) async throws {
        var bigKeys = 1_000_000
        if let index = arguments.firstIndex(of: "--keys"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
            bigKeys = n
        }
        let root = NSTemporaryDirectory() + "drover-kv-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var rows: [(String, String, String, String)] = []

        let skipSmall = arguments.contains("--skip-small")
        // 1. get and put of 1 KiB values.
        let value = [UInt8](repeating: 0x5A, count: 1024)
        let hotKeys = (0..<10_000).map { String(format: "hot:%08d", $0) }
        let kv = try FileKVNamespace(directory: root + "/kv", clock: SystemWallClock(), logger: .disabled)
        let sqlite = try SQLiteBaseline(path: root + "/baseline.sqlite")

        let putCount = skipSmall ? 10 : 50_000
        let kvPut = try await measure(putCount) { i in
            try await kv.put(hotKeys[i % hotKeys.count], value: value, options: KVPutOptions())
        }
        let sqlPut = try await measure(putCount) { i in try sqlite.put(hotKeys[i % hotKeys.count], value) }
        rows.append(("put 1 KiB", rate(kvPut), rate(sqlPut), ratio(kvPut, sqlPut) + " (goal ≥ 20 000/s, ≥ 1×)"))

        let getCount = skipSmall ? 10 : 1_000_000
        var checksum = 0
        let kvGet = try await measure(getCount) { i in
            checksum &+= try await kv.getBytes(hotKeys[(i &* 7919) % hotKeys.count])?.count ?? 0
        }
        let sqlGet = try await measure(getCount / 4) { i in
            checksum &+= try sqlite.get(hotKeys[(i &* 7919) % hotKeys.count])?.count ?? 0
        }
        rows.append(("get 1 KiB, hot", rate(kvGet), rate(sqlGet), ratio(kvGet, sqlGet) + " (goal ≥ 200 000/s, ≥ 2×)"))
        kv.close()
        // The same without DroverKV's value cache: every get is a pread.
        let uncached = try FileKVNamespace(
            directory: root + "/kv",
            clock: SystemWallClock(),
            logger: .disabled,
            tuning: .init(cacheBytes: 0, cacheableValueLength: 0)
        )
        let kvPread = try await measure(getCount / 4) { i in
            checksum &+= try await uncached.getBytes(hotKeys[(i &* 7919) % hotKeys.count])?.count ?? 0
        }
        rows.append(("get 1 KiB, no cache", rate(kvPread), rate(sqlGet), ratio(kvPread, sqlGet) + " (pread per get)"))
        uncached.close()

        // 2. list of 1 000 keys under a prefix in a 100 000-key namespace.
        let listKV = try FileKVNamespace(directory: root + "/list", clock: SystemWallClock(), logger: .disabled)
        let listSQL = try SQLiteBaseline(path: root + "/list.sqlite")
        let small = Array("v".utf8)
        var batch: [(key: [UInt8], value: [UInt8], options: KVPutOptions)] = []
        try listSQL.begin()
        for n in 0..<(skipSmall ? 1000 : 100_000) {
            let key = String(format: "p%03d:%06d", n % 100, n)
            batch.append((Array(key.utf8), small, KVPutOptions()))
            try listSQL.put(key, small)
            if batch.count == 10_000 {
                try listKV.put(batch: batch)
                batch = []
            }
        }
        try listSQL.commit()
        _ = try await listKV.list(prefix: "p042:", limit: 1000)  // builds the sorted index once
        let lists = 500
        let kvList = try await measure(lists) { i in
            let page = try await listKV.list(prefix: String(format: "p%03d:", i % 100), limit: 1000)
            checksum &+= page.keys.count
        }
        let sqlList = try await measure(lists) { i in
            checksum &+= try listSQL.list(prefix: String(format: "p%03d:", i % 100), limit: 1000)
        }
        rows.append(("list 1 000 of 100 000", millis(kvList, lists), millis(sqlList, lists), "goal ≤ 2 ms"))
        listKV.close()

        // 3. open of a 1 000 000-key namespace; disk use after expiry reclaim.
        let clock = ManualWallClock(Date())
        let bigPath = root + "/big"
        var rawBytes: Int64 = 0
        do {
            let big = try FileKVNamespace(directory: bigPath, clock: clock, logger: .disabled)
            let bigValue = [UInt8](repeating: 0x42, count: 100)
            var batch: [(key: [UInt8], value: [UInt8], options: KVPutOptions)] = []
            for n in 0..<bigKeys {
                let key = Array(String(format: "key:%010d", n).utf8)
                // A quarter of the keys expire; some keys are written twice.
                let expiring = n % 4 == 0
                batch.append((key, bigValue, KVPutOptions(expirationTtl: expiring ? 60 : nil)))
                if !expiring { rawBytes += Int64(key.count + bigValue.count) }
                if batch.count == 10_000 {
                    try big.put(batch: batch)
                    batch = []
                }
            }
            if !batch.isEmpty { try big.put(batch: batch) }
            big.close()
        }
        let openCPU = cpuSeconds()
        let openStart = ContinuousClock.now
        let reopened = try FileKVNamespace(directory: bigPath, clock: clock, logger: .disabled)
        let openTime = ContinuousClock.now - openStart
        let openCPUTime = cpuSeconds() - openCPU
        let before = try reopened.diskUsage()
        clock.advance(by: 61)
        let reclaimStart = ContinuousClock.now
        let report = try reopened.reclaimExpired()
        let reclaimTime = ContinuousClock.now - reclaimStart
        let after = try reopened.diskUsage()
        rows.append(("open \(bigKeys) keys", format(openTime) + String(format: " (cpu %.3f)", openCPUTime), "—", "goal ≤ 1 s"))
        rows.append(
            (
                "disk after reclaim", "\(after / 1_048_576) MiB", "—",
                String(
                    format: "%.2f× raw (%lld MiB raw, %lld MiB before; %d expired, reclaim %@)",
                    Double(after) / Double(rawBytes),
                    rawBytes / 1_048_576,
                    before / 1_048_576,
                    report.expiredKeys,
                    format(reclaimTime)
                )
            )
        )
        reopened.close()

        // 4. How long a get or put waits while a large log is compacted on another thread.
        var stallMegabytes = 512
        if let index = arguments.firstIndex(of: "--stall-mb"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
            stallMegabytes = n
        }
        rows += try compactionStall(directory: root + "/stall", megabytes: stallMegabytes)

        print("KV benchmark (release), DroverKV vs SQLite baseline, same run")
        print(pad("operation", 24) + pad("DroverKV", 28) + pad("SQLite", 28) + "ratio / goal")
        for row in rows { print(pad(row.0, 24) + pad(row.1, 28) + pad(row.2, 28) + row.3) }
        if checksum == 42 { print("") }
    }

    /// Fills a namespace with a log of about `megabytes` MiB, half of it dead (every 1 KiB value
    /// written twice), then compacts it on this thread while one thread loops over `get`s and
    /// another over `put`s, each keeping the longest single call it saw. The same two threads then
    /// run as long again with no compaction: the reference for what the machine alone causes.
    private static func compactionStall(directory: String, megabytes: Int) throws -> [(String, String, String, String)] {
        let kv = try FileKVNamespace(
            directory: directory,
            clock: SystemWallClock(),
            logger: .disabled,
            tuning: .init(maintenanceInterval: .max)
        )
        defer { kv.close() }
        let value = [UInt8](repeating: 0x33, count: 1024)
        let recordLength = 26 + 14 + value.count
        let keyCount = max(1000, megabytes << 20 / (2 * recordLength))
        let keys = (0..<keyCount).map { Array(String(format: "stall:%08d", $0).utf8) }
        for _ in 0..<2 {
            for start in stride(from: 0, to: keyCount, by: 10_000) {
                try kv.put(batch: keys[start..<min(start + 10_000, keyCount)].map { ($0, value, KVPutOptions()) })
            }
        }
        let logBytes = try kv.diskUsage()
        var bytesAfter: Int64 = 0
        var compaction = Duration.zero
        let during = try probeStalls(kv, keys: keys, value: value, tag: "c") {
            let start = ContinuousClock.now
            bytesAfter = try kv.compact().bytesAfter
            compaction = ContinuousClock.now - start
        }
        let idle = try probeStalls(kv, keys: keys, value: value, tag: "i") {
            Thread.sleep(forTimeInterval: seconds(compaction))
        }
        let compacted = String(
            format: "compaction of %lld MiB into %lld MiB took %@%@",
            logBytes >> 20,
            bytesAfter >> 20,
            format(compaction),
            during.failed || idle.failed ? " (a call failed)" : ""
        )
        return [
            ("longest get, compacting", stallMillis(during.get.longest), stallMillis(idle.get.longest) + " idle", "\(during.get.count) gets; " + compacted),
            ("longest put, compacting", stallMillis(during.put.longest), stallMillis(idle.put.longest) + " idle", "\(during.put.count) puts (idle: no compaction, as long)"),
        ]
    }

    /// Runs `body` on this thread while one thread loops over `get`s and another over `put`s.
    private static func probeStalls(
        _ kv: FileKVNamespace,
        keys: [[UInt8]],
        value: [UInt8],
        tag: String,
        _ body: () throws -> Void
    ) throws -> (get: (longest: Duration, count: Int), put: (longest: Duration, count: Int), failed: Bool) {
        let probe = StallProbe()
        let group = DispatchGroup()
        for writer in [false, true] {
            group.enter()
            Thread {
                defer { group.leave() }
                var longest = Duration.zero
                var count = 0
                var n = 0
                while !probe.stop.load(ordering: .acquiring) {
                    n = (n &+ 7919) % keys.count
                    let start = ContinuousClock.now
                    do {
                        if writer {
                            try kv.put(rawKey: Array("during-\(tag):\(count)".utf8), value: value, options: KVPutOptions())
                        } else {
                            _ = try kv.getWithMetadata(rawKey: keys[n])
                        }
                    } catch {
                        probe.failed.store(true, ordering: .releasing)
                        return
                    }
                    longest = max(longest, ContinuousClock.now - start)
                    count += 1
                }
                probe.results.withLock { $0[writer ? 1 : 0] = (longest, count) }
            }.start()
        }
        defer {
            probe.stop.store(true, ordering: .releasing)
            group.wait()
        }
        try body()
        probe.stop.store(true, ordering: .releasing)
        group.wait()
        let results = probe.results.withLock { $0 }
        return (results[0], results[1], probe.failed.load(ordering: .acquiring))
    }

    /// What the threads of ``probeStalls(_:keys:value:tag:_:)`` share.
    private final class StallProbe: Sendable {
        let stop = Atomic<Bool>(false)
        let failed = Atomic<Bool>(false)
        let results = Mutex<[(longest: Duration, count: Int)]>([(.zero, 0), (.zero, 0)])
    }

    private static func stallMillis(_ duration: Duration) -> String {
        String(format: "%.3f ms", seconds(duration) * 1000)
    }

    /// A timed run: operations, wall time, and CPU time of the process (user + system), so a
    /// figure can be read even when other work shares the machine.
    struct Run {
        var count: Int
        var wall: Double
        var cpu: Double
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    private static func measure(_ count: Int, _ body: (Int) async throws -> Void) async throws -> Run {
        let cpuStart = cpuSeconds()
        let start = ContinuousClock.now
        for i in 0..<count { try await body(i) }
        return Run(count: count, wall: seconds(ContinuousClock.now - start), cpu: cpuSeconds() - cpuStart)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func rate(_ run: Run) -> String {
        String(format: "%.0f/s (cpu %.0f/s)", Double(run.count) / run.wall, Double(run.count) / max(run.cpu, 1e-9))
    }

    private static func ratio(_ a: Run, _ b: Run) -> String {
        String(
            format: "%.2f× (cpu %.2f×)",
            (Double(a.count) / a.wall) / (Double(b.count) / b.wall),
            (Double(a.count) / max(a.cpu, 1e-9)) / (Double(b.count) / max(b.cpu, 1e-9))
        )
    }

    private static func millis(_ run: Run, _ count: Int) -> String {
        String(format: "%.3f ms (cpu %.3f)", run.wall * 1000 / Double(count), run.cpu * 1000 / Double(count))
    }

    private static func format(_ duration: Duration) -> String {
        String(format: "%.3f s", seconds(duration))
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}

/// The SQLite baseline: one table, WAL, prepared statements.
///
/// `@unchecked Sendable` is not claimed: used from one task only.
final class SQLiteBaseline {
    private var db: OpaquePointer?
    private var putStatement: OpaquePointer?
    private var getStatement: OpaquePointer?
    private var listStatement: OpaquePointer?

    init(path: String) throws {
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BaselineError(message: "open \(path)") }
        try exec("PRAGMA journal_mode=WAL")
        try exec("PRAGMA synchronous=NORMAL")
        // The same memory budget as DroverKV's value cache (64 MiB), so hot reads are hot for both.
        try exec("PRAGMA cache_size=-65536")
        try exec("CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
        putStatement = try prepare("INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)")
        getStatement = try prepare("SELECT value FROM kv WHERE key = ?1")
        listStatement = try prepare("SELECT key FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3")
    }

    deinit {
        sqlite3_finalize(putStatement)
        sqlite3_finalize(getStatement)
        sqlite3_finalize(listStatement)
        sqlite3_close(db)
    }

    struct BaselineError: Error { var message: String }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BaselineError(message: String(cString: sqlite3_errmsg(db)))
        }
    }

    func begin() throws { try exec("BEGIN") }
    func commit() throws { try exec("COMMIT") }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw BaselineError(message: String(cString: sqlite3_errmsg(db)))
        }
        return statement
    }

    func put(_ key: String, _ value: [UInt8]) throws {
        let utf8 = Array(key.utf8)
        sqlite3_bind_blob(putStatement, 1, utf8, Int32(utf8.count), Self.transient)
        sqlite3_bind_blob(putStatement, 2, value, Int32(value.count), Self.transient)
        let result = sqlite3_step(putStatement)
        sqlite3_reset(putStatement)
        guard result == SQLITE_DONE else { throw BaselineError(message: String(cString: sqlite3_errmsg(db))) }
    }

    func get(_ key: String) throws -> [UInt8]? {
        let utf8 = Array(key.utf8)
        sqlite3_bind_blob(getStatement, 1, utf8, Int32(utf8.count), Self.transient)
        defer { sqlite3_reset(getStatement) }
        switch sqlite3_step(getStatement) {
        case SQLITE_ROW:
            let count = Int(sqlite3_column_bytes(getStatement, 0))
            guard let blob = sqlite3_column_blob(getStatement, 0) else { return [] }
            return Array(UnsafeRawBufferPointer(start: blob, count: count))
        case SQLITE_DONE: return nil
        default: throw BaselineError(message: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// Keys under `prefix` (as a range scan), returning how many.
    func list(prefix: String, limit: Int) throws -> Int {
        let low = Array(prefix.utf8)
        var high = low
        high[high.count - 1] += 1
        sqlite3_bind_blob(listStatement, 1, low, Int32(low.count), Self.transient)
        sqlite3_bind_blob(listStatement, 2, high, Int32(high.count), Self.transient)
        sqlite3_bind_int(listStatement, 3, Int32(limit))
        defer { sqlite3_reset(listStatement) }
        var count = 0
        var keys: [[UInt8]] = []
        while sqlite3_step(listStatement) == SQLITE_ROW {
            let length = Int(sqlite3_column_bytes(listStatement, 0))
            if let blob = sqlite3_column_blob(listStatement, 0) {
                keys.append(Array(UnsafeRawBufferPointer(start: blob, count: length)))
            }
            count += 1
        }
        return count + keys.count - keys.count
    }
}
