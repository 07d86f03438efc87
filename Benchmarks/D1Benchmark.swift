import CSQLite
import Drover
import DroverD1
import Foundation

/// `Benchmarks d1 [--iterations N] [--rows N] [--seconds S]`: the D1 binding against the raw
/// sqlite3 C API doing the same work in the same run.
///
/// - point select by primary key: the binding's `prepare(sql).bind(id).first()` against raw
///   `bind/step/column/reset` on a kept statement that does the same work: it returns the row, as a
///   ``D1Row`` (the column names, read once, and each value read by its SQLite type). For reference,
///   also the bare loop reading the three known columns into locals and returning nothing, and raw
///   prepare/finalize per call;
/// - a 100 000-row insert in one `batch` against raw `BEGIN`, one kept `INSERT`, `COMMIT` (best of
///   three rounds each);
/// - read throughput of 4 concurrent readers against 1, while one writer keeps writing.
enum D1Benchmark {
    static func run(arguments: [String]) async throws {
        let iterations = option("--iterations", in: arguments) ?? 20_000
        let rows = option("--rows", in: arguments) ?? 100_000
        let duration = Double(option("--seconds", in: arguments) ?? 2)
        let directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("drover-d1-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var table: [(String, String, String)] = []

        // Point select.
        let selectPath = directory + "/select.sqlite"
        let db = try SQLiteD1Database(path: selectPath, logger: .disabled, readers: 4)
        _ = try await db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, value INTEGER)")
        _ = try await db.batch(
            (1...10_000).map { db.prepare("INSERT INTO items (name, value) VALUES (?, ?)").bind(.text("item \($0)"), .integer(Int64($0))) }
        )
        let raw = try RawSQLite(path: selectPath)
        let sql = "SELECT id, name, value FROM items WHERE id = ?"
        // Warm up all.
        for id in 1...1_000 {
            _ = try await db.prepare(sql).bind(.integer(Int64(id))).first()
            _ = raw.pointSelect(sql, id: Int64(id))
            _ = raw.pointSelectRow(sql, id: Int64(id))
        }
        var rawRow = Double.infinity
        var rawKept = Double.infinity
        var rawPrepared = Double.infinity
        var binding = Double.infinity
        for _ in 0..<3 {
            rawRow = min(rawRow, measure(iterations) { raw.pointSelectRow(sql, id: Int64($0 % 10_000 + 1))?.values.count ?? 0 })
            rawKept = min(rawKept, measure(iterations) { raw.pointSelect(sql, id: Int64($0 % 10_000 + 1)) })
            rawPrepared = min(rawPrepared, measure(iterations) { raw.pointSelectPreparingEachTime(sql, id: Int64($0 % 10_000 + 1)) })
            binding = min(
                binding,
                try await measureAsync(iterations) { index in
                    _ = try await db.prepare(sql).bind(.integer(Int64(index % 10_000 + 1))).first()
                }
            )
        }
        table.append(("point select, raw: the row (kept statement)", micro(rawRow), ""))
        table.append(("point select, raw: 3 columns into locals", micro(rawKept), ""))
        table.append(("point select, raw: prepare per call", micro(rawPrepared), ""))
        table.append(
            (
                "point select, binding first()", micro(binding),
                String(
                    format: "%+.0f%% vs the raw row (target ≤ +15%%); %+.0f%% vs locals, %+.0f%% vs prepare per call",
                    (binding / rawRow - 1) * 100,
                    (binding / rawKept - 1) * 100,
                    (binding / rawPrepared - 1) * 100
                )
            )
        )

        // 100 000-row insert in one batch: three rounds each, every round into a new file, best kept
        // (the first round of either pays for the process's first large allocations).
        let insertSQL = "INSERT INTO bulk (id, name, value) VALUES (?, ?, ?)"
        var batchTime = Double.infinity
        var rawTime = Double.infinity
        for round in 0..<3 {
            let bulk = try SQLiteD1Database(path: directory + "/bulk\(round).sqlite", logger: .disabled, readers: 1)
            _ = try await bulk.exec("CREATE TABLE bulk (id INTEGER PRIMARY KEY, name TEXT, value REAL)")
            let statements = (0..<rows).map { index in
                bulk.prepare(insertSQL).bind(.integer(Int64(index)), .text("row \(index)"), .real(Double(index) / 3))
            }
            let batchStart = ContinuousClock.now
            _ = try await bulk.batch(statements)
            batchTime = min(batchTime, seconds(ContinuousClock.now - batchStart))
            bulk.close()

            let rawBulk = try RawSQLite(path: directory + "/rawbulk\(round).sqlite")
            rawBulk.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
            rawBulk.exec("CREATE TABLE bulk (id INTEGER PRIMARY KEY, name TEXT, value REAL)")
            let rawStart = ContinuousClock.now
            rawBulk.insertRows(insertSQL, count: rows)
            rawTime = min(rawTime, seconds(ContinuousClock.now - rawStart))
        }
        table.append(("\(rows)-row insert, raw", milli(rawTime), ""))
        table.append(
            (
                "\(rows)-row insert, one batch", milli(batchTime),
                String(format: "%.2f× raw (target ≤ 1.3×, ≤ 1 s)", batchTime / rawTime)
            )
        )

        // Concurrent readers with a writer.
        let readSQL = "SELECT count(*) AS n, sum(value) AS total FROM items WHERE id BETWEEN ? AND ? + 400"
        let single = try await readThroughput(db, sql: readSQL, readers: 1, seconds: duration)
        let four = try await readThroughput(db, sql: readSQL, readers: 4, seconds: duration)
        table.append(("range read, 1 reader + writer", String(format: "%.0f reads/s", single), ""))
        table.append(
            (
                "range read, 4 readers + writer", String(format: "%.0f reads/s", four),
                String(format: "%.2f× one reader (target ≥ 1.6×)", four / single)
            )
        )
        db.close()

        let width = table.map(\.0.count).max() ?? 0
        let valueWidth = table.map(\.1.count).max() ?? 0
        print(
            "D1 benchmark (\(iterations) selects, \(rows) rows, \(Int(duration)) s per throughput run, \(ProcessInfo.processInfo.activeProcessorCount) cores)"
        )
        for (name, value, note) in table {
            print(
                name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + String(repeating: " ", count: valueWidth - value.count) + value + "  " + note
            )
        }
    }

    /// Reads per second from `readers` tasks while one task writes, for `seconds`.
    static func readThroughput(_ db: SQLiteD1Database, sql: String, readers: Int, seconds: Double) async throws -> Double {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        return try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var index: Int64 = 0
                while ContinuousClock.now < deadline {
                    index += 1
                    _ = try await db.prepare("UPDATE items SET value = value + 1 WHERE id = ?").bind(.integer(index % 10_000 + 1)).run()
                }
                return 0
            }
            for reader in 0..<readers {
                group.addTask {
                    var count = 0
                    var start = Int64(reader * 1_000)
                    while ContinuousClock.now < deadline {
                        start = (start + 37) % 9_000
                        _ = try await db.prepare(sql).bind(.integer(start), .integer(start)).first()
                        count += 1
                    }
                    return count
                }
            }
            var total = 0
            for try await count in group { total += count }
            return Double(total) / seconds
        }
    }

    static func measure(_ iterations: Int, _ body: (Int) -> Int) -> Double {
        var sink = 0
        let start = ContinuousClock.now
        for index in 0..<iterations { sink &+= body(index) }
        let elapsed = seconds(ContinuousClock.now - start)
        if sink == -1 { print("") }
        return elapsed / Double(iterations)
    }

    static func measureAsync(_ iterations: Int, _ body: (Int) async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        for index in 0..<iterations { try await body(index) }
        return seconds(ContinuousClock.now - start) / Double(iterations)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func micro(_ seconds: Double) -> String { String(format: "%.2f µs", seconds * 1e6) }
    static func milli(_ seconds: Double) -> String { String(format: "%.0f ms", seconds * 1e3) }

    static func option(_ name: String, in arguments: [String]) -> Int? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }
}

/// The same work on the plain C API, for comparison.
private final class RawSQLite {
    let handle: OpaquePointer
    var kept: OpaquePointer?

    init(path: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db else {
            throw D1Error("cannot open \(path)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit {
        sqlite3_finalize(kept)
        sqlite3_close_v2(handle)
    }

    func exec(_ sql: String) { sqlite3_exec(handle, sql, nil, nil, nil) }

    /// Bind, step, read every column (as the binding does: text to String), reset.
    func pointSelect(_ sql: String, id: Int64) -> Int {
        if kept == nil { sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &kept, nil) }
        guard let statement = kept else { return 0 }
        defer { sqlite3_reset(statement) }
        return readRow(statement, id: id)
    }

    /// The column names of ``kept``, read once (a C program keeps them with its statement).
    private var names: [String] = []

    /// Bind, step, return the first row as a ``D1Row``: each column read by its SQLite type, as any
    /// reader of a row it did not write must; step to the end; reset.
    func pointSelectRow(_ sql: String, id: Int64) -> D1Row? {
        if kept == nil {
            sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &kept, nil)
            guard let kept else { return nil }
            names = (0..<sqlite3_column_count(kept)).map { String(cString: sqlite3_column_name(kept, $0)) }
        }
        guard let statement = kept else { return nil }
        defer { sqlite3_reset(statement) }
        sqlite3_bind_int64(statement, 1, id)
        guard sqlite3_step(statement) == SQLITE_ROW else { return nil }
        let count = sqlite3_column_count(statement)
        var values: [D1Value] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            switch sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, column)))
            case SQLITE_TEXT: values.append(.text(String(cString: sqlite3_column_text(statement, column))))
            case SQLITE_BLOB:
                let bytes = Int(sqlite3_column_bytes(statement, column))
                values.append(.blob(bytes == 0 ? [] : Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, column), count: bytes))))
            default: values.append(.null)
            }
        }
        while sqlite3_step(statement) == SQLITE_ROW {}
        return D1Row(columns: names, values: values)
    }

    func pointSelectPreparingEachTime(_ sql: String, id: Int64) -> Int {
        var statement: OpaquePointer?
        sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard let statement else { return 0 }
        defer { sqlite3_finalize(statement) }
        return readRow(statement, id: id)
    }

    private func readRow(_ statement: OpaquePointer, id: Int64) -> Int {
        sqlite3_bind_int64(statement, 1, id)
        var total = 0
        while sqlite3_step(statement) == SQLITE_ROW {
            total &+= Int(sqlite3_column_int64(statement, 0))
            let text = String(cString: sqlite3_column_text(statement, 1))
            total &+= text.utf8.count
            total &+= Int(sqlite3_column_int64(statement, 2))
        }
        return total
    }

    func insertRows(_ sql: String, count: Int) {
        exec("BEGIN IMMEDIATE")
        var statement: OpaquePointer?
        sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for index in 0..<count {
            sqlite3_bind_int64(statement, 1, Int64(index))
            let text = "row \(index)"
            sqlite3_bind_text(statement, 2, text, -1, transient)
            sqlite3_bind_double(statement, 3, Double(index) / 3)
            sqlite3_step(statement)
            sqlite3_reset(statement)
        }
        sqlite3_finalize(statement)
        exec("COMMIT")
    }
}
