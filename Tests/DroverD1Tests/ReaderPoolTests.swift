import Drover
import Foundation
import Synchronization
import Testing

@testable import DroverD1

@Suite("ReaderPool")
struct ReaderPoolTests {
    /// A pool of `count` readers on a fresh database in `directory`.
    static func pool(_ count: Int, in directory: borrowing TemporaryDirectory) throws -> ReaderPool {
        let path = directory.file("pool.sqlite")
        _ = try D1Connection(path: path, isReader: false)
        let readers = try (0..<count).map { index in
            ConnectionActor(connection: try D1Connection(path: path, isReader: true), label: "test.reader\(index)")
        }
        return ReaderPool(readers: readers)
    }

    @Test("each idle reader is leased once; a returned one can be leased again")
    func leases() throws {
        let directory = try TemporaryDirectory()
        let pool = try Self.pool(3, in: directory)
        let leases = (0..<3).compactMap { _ in pool.tryAcquire() }
        #expect(Set(leases.map(\.slot)) == [0, 1, 2])
        #expect(pool.tryAcquire() == nil)
        pool.release(leases[1])
        #expect(pool.tryAcquire()?.slot == 1)
    }

    @Test("waiters get readers as they come back, none is lost under contention", .timeLimit(.minutes(1)))
    func waiters() async throws {
        let directory = try TemporaryDirectory()
        let pool = try Self.pool(2, in: directory)
        let inUse = SlotsInUse()
        // 16 tasks × 500 leases each on 2 readers: most acquisitions wait. A lease is never shared.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    for _ in 0..<500 {
                        guard let lease = await pool.acquire() else {
                            Issue.record("the pool is not closing")
                            return
                        }
                        let fresh = inUse.slots.withLock { $0.insert(lease.slot).inserted }
                        #expect(fresh)
                        if Bool.random() { await Task.yield() }
                        inUse.slots.withLock { _ = $0.remove(lease.slot) }
                        pool.release(lease)
                    }
                }
            }
        }
        // Everything came back.
        #expect(pool.tryAcquire() != nil)
        #expect(pool.tryAcquire() != nil)
        #expect(pool.tryAcquire() == nil)
    }

    @Test("closing answers waiters with nil, refuses new leases, and waits only for a reader in use off its queue")
    func closing() async throws {
        let directory = try TemporaryDirectory()
        let pool = try Self.pool(2, in: directory)
        let throughQueue = try #require(pool.tryAcquire())
        let inPlace = try #require(pool.tryAcquireInPlace())
        let waiter = Task { await pool.acquire() }
        // Let the waiter register (had it not yet, closing refuses it all the same), then close.
        try await Task.sleep(for: .milliseconds(20))
        let closeReturned = Mutex(false)
        let closer = Task.detached {
            pool.close()
            closeReturned.withLock { $0 = true }
        }
        let answer = await waiter.value
        #expect(answer == nil)
        // Close waits for the connection in use on this thread...
        try await Task.sleep(for: .milliseconds(50))
        #expect(!closeReturned.withLock { $0 })
        pool.endInPlace(inPlace)
        // ...but not for the lease used through its reader's queue, still out.
        await closer.value
        #expect(pool.tryAcquire() == nil)
        #expect(pool.tryAcquireInPlace() == nil)
        #expect(await pool.acquire() == nil)
        pool.release(throughQueue)
        pool.release(inPlace)
        #expect(pool.tryAcquire() == nil)
    }
}

/// The slots leased at the moment, shared by the tasks of a test.
private final class SlotsInUse: Sendable {
    let slots = Mutex<Set<Int>>([])
}
