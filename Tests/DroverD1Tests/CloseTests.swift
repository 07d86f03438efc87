import Drover
import DroverD1
import Foundation
import Testing

@Suite("SQLiteD1Database: close")
struct CloseTests {
    @Test("closing while reads run: each read succeeds or says the database is closed, nothing crashes")
    func closeDuringReads() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory, readers: 2)
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)\nINSERT INTO t VALUES (1, 'a')")
        // Make the SQL known as read-only, so reads take the readers' in-place path.
        _ = try await db.prepare("SELECT name FROM t WHERE id = ?").bind(1).first()
        let outcomes = await Self.close(db, whileRunning: 4, tasksOf: 2_000, closingAfter: { await Task.yield() }) { _ in
            let name = try await db.prepare("SELECT name FROM t WHERE id = ?").bind(1).first("name")
            #expect(name == "a")
        }
        #expect(outcomes.ok + outcomes.closed == 8_000)
        await #expect(throws: D1Error.self) { _ = try await db.prepare("SELECT 1").all() }
    }

    @Test("closing while writes run: each write succeeds or says the database is closed, nothing crashes")
    func closeDuringWrites() async throws {
        let directory = try TemporaryDirectory()
        let db = try TestDatabase.make(in: directory, readers: 2)
        _ = try await db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        let outcomes = await Self.close(db, whileRunning: 2, tasksOf: 500, closingAfter: { try? await Task.sleep(for: .milliseconds(5)) }) {
            index in
            _ = try await db.prepare("INSERT INTO t (name) VALUES (?)").bind(.text("n\(index)")).run()
        }
        #expect(outcomes.ok + outcomes.closed == 1_000)
        // Every acknowledged insert is in the file.
        let reopened = try TestDatabase.make(in: directory)
        defer { reopened.close() }
        #expect(try await reopened.prepare("SELECT count(*) AS n FROM t").first("n") == .integer(Int64(outcomes.ok)))
    }

    /// Runs `tasks` tasks of `iterations` calls of `operation` each, and closes `db` once `pause`
    /// returns. Every call must succeed or throw `D1_ERROR: database is closed`.
    /// - Returns: how many calls succeeded and how many were refused as closed.
    static func close(
        _ db: SQLiteD1Database,
        whileRunning tasks: Int,
        tasksOf iterations: Int,
        closingAfter pause: @escaping @Sendable () async -> Void,
        operation: @escaping @Sendable (Int) async throws -> Void
    ) async -> (ok: Int, closed: Int) {
        await withTaskGroup(of: (ok: Int, closed: Int).self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var ok = 0
                    var closed = 0
                    for index in 0..<iterations {
                        do {
                            try await operation(index)
                            ok += 1
                        } catch let error as D1Error {
                            #expect(error.message == "D1_ERROR: database is closed")
                            closed += 1
                        } catch {
                            Issue.record("unexpected error \(error)")
                        }
                    }
                    return (ok, closed)
                }
            }
            group.addTask {
                await pause()
                db.close()
                return (0, 0)
            }
            var total = (ok: 0, closed: 0)
            for await outcome in group {
                total.ok += outcome.ok
                total.closed += outcome.closed
            }
            return total
        }
    }
}
