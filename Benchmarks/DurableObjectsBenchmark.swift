import CSQLite
import Drover
import DroverConfig
import DroverDurableObjects
import Foundation

/// `Benchmarks do [SECONDS]`: Durable Object increments per second — read `count`, add one, write
/// it, through a stub's call to the object's actor — on one object and round-robin across 1,000,
/// beside the raw sqlite3 C API doing the same read and write in one transaction per increment on
/// the same kind of files (WAL, `synchronous = NORMAL`): the physical limit on this machine.
enum DurableObjectsBenchmark {
    actor Counter: DurableObject {
        let ctx: DurableObjectState
        init(ctx: DurableObjectState, env: Env) { self.ctx = ctx }

        func increment() throws -> Int64 {
            let count = (try ctx.storage.get("count")?.integerValue ?? 0) + 1
            try ctx.storage.put("count", .integer(count))
            return count
        }
    }

    static func run(arguments: [String]) async throws {
        let seconds = arguments.first.flatMap(Double.init) ?? 2
        let directory = (NSTemporaryDirectory() as NSString).appendingPathComponent("drover-do-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // Raw: one connection per file, kept statements, BEGIN IMMEDIATE / SELECT / INSERT OR REPLACE / COMMIT.
        let rawOne = try (0..<1).map { try RawCounter(path: "\(directory)/raw-one-\($0).sqlite") }
        let rawMany = try (0..<1_000).map { try RawCounter(path: "\(directory)/raw-many-\($0).sqlite") }
        let rawOneRate = try await rate(seconds) { batch in for _ in batch { rawOne[0].increment() } }
        let rawManyRate = try await rate(seconds) { batch in for index in batch { rawMany[index % 1_000].increment() } }

        // Drover: a host on its own state directory, on the real clock.
        var config = DroverConfig(configPath: directory + "/wrangler-like.toml", name: "bench", main: "bench", compatibilityDate: "2026-01-01")
        config.durableObjects = [DurableObjectBindingConfig(name: "COUNTER", className: "Counter")]
        config.migrations = [DurableObjectMigrationConfig(tag: "v1", newSQLiteClasses: ["Counter"])]
        var registry = WorkerRegistry()
        registry.register(durableObject: "Counter", Counter.self)
        let host = try DurableObjectsHost(
            config: config, registry: registry, stateDirectory: directory + "/state", clock: SystemWallClock(), logger: .disabled,
            settings: .init(idleTimeout: .seconds(600), maximumLiveObjects: 2_000))
        var env = Env(fetch: NoFetcher())
        for (name, namespace) in host.bindings { env.setBinding(name, .durableObjects(namespace)) }
        host.setEnv(env)
        let namespace = try env.durableObjects("COUNTER")
        let one = namespace.getByName("one")
        let many = (0..<1_000).map { namespace.getByName("object-\($0)") }
        // Every object built once before timing.
        _ = try await one.call(Counter.self) { try $0.increment() }
        for stub in many { _ = try await stub.call(Counter.self) { try $0.increment() } }
        let oneRate = try await rate(seconds) { batch in
            for _ in batch { _ = try await one.call(Counter.self) { try $0.increment() } }
        }
        let manyRate = try await rate(seconds) { batch in
            for index in batch { _ = try await many[index % 1_000].call(Counter.self) { try $0.increment() } }
        }
        await host.shutdown()

        print("Durable Objects benchmark: increments per second, one task, \(seconds) s per row")
        print("| increments | raw sqlite3 (read + write, one transaction each) | Durable Object (stub.call → get + put) | ratio |")
        print("|---|---|---|---|")
        print(String(format: "| one object | %.0f | %.0f | %.2f |", rawOneRate, oneRate, oneRate / rawOneRate))
        print(String(format: "| 1,000 objects, round robin | %.0f | %.0f | %.2f |", rawManyRate, manyRate, manyRate / rawManyRate))
    }

    /// Increments per second of wall time over `seconds`: `batch` makes 100, the first numbered
    /// with the index it is given (in batches, so the raw loop stays a plain loop).
    static func rate(_ seconds: Double, _ batch: (Range<Int>) async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        var count = 0
        while true {
            try await batch(count..<count + 100)
            count += 100
            let elapsed = ContinuousClock.now - start
            if elapsed > .seconds(seconds) { return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) }
        }
    }

    /// One SQLite file with a counter, driven through the C API.
    final class RawCounter {
        let db: OpaquePointer
        let begin: OpaquePointer
        let select: OpaquePointer
        let upsert: OpaquePointer
        let commit: OpaquePointer

        init(path: String) throws {
            var handle: OpaquePointer?
            guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
                throw DurableObjectError("cannot open \(path)")
            }
            db = handle
            sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID", nil, nil, nil)
            func prepare(_ sql: String) -> OpaquePointer {
                var statement: OpaquePointer?
                sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
                return statement!
            }
            begin = prepare("BEGIN IMMEDIATE")
            select = prepare("SELECT value FROM kv WHERE key = 'count'")
            upsert = prepare("INSERT OR REPLACE INTO kv (key, value) VALUES ('count', ?1)")
            commit = prepare("COMMIT")
        }

        func increment() {
            sqlite3_step(begin)
            sqlite3_reset(begin)
            var count: Int64 = 0
            if sqlite3_step(select) == SQLITE_ROW { count = sqlite3_column_int64(select, 0) }
            sqlite3_reset(select)
            sqlite3_bind_int64(upsert, 1, count + 1)
            sqlite3_step(upsert)
            sqlite3_reset(upsert)
            sqlite3_step(commit)
            sqlite3_reset(commit)
        }
    }
}
