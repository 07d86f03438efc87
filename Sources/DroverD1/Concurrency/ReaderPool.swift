import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A small pool of read connections: a reader is leased for one statement and given back, so reads
/// run in parallel, each on its own connection.
///
/// Taking an idle reader is one compare-and-swap on a bit mask of idle readers, so the common case
/// (a reader is free) takes no lock. When every reader is busy, callers wait in order under a lock;
/// a returned reader is handed to the first of them. A waiter registers (count, then a last look at
/// the mask) and a releaser publishes (mask, then a look at the count) with sequentially consistent
/// operations, so one of the two always sees the other and no waiter sleeps past a free reader.
final class ReaderPool: Sendable {
    /// A reader checked out of the pool; give it back with ``release(_:)``.
    struct Lease: Sendable {
        let slot: Int
        let reader: ConnectionActor
    }

    private struct Waiters {
        var queue: [CheckedContinuation<Lease?, Never>] = []
        var closing = false
    }

    /// Every reader, for closing.
    let all: [ConnectionActor]
    /// Bit `i` set: reader `i` is idle.
    private let idle: Atomic<UInt64>
    /// Bit `i` set: reader `i`'s connection is in use on a caller's thread, off its queue
    /// (``tryAcquireInPlace()``), which closing must wait for.
    private let inPlace = Atomic<UInt64>(0)
    /// Set by ``close()``: no lease is given out any more.
    private let closed = Atomic<Bool>(false)
    /// How many callers wait in ``waiters``, read without the lock by ``release(_:)``.
    private let waiting = Atomic<Int>(0)
    private let waiters = Mutex(Waiters())
    private let allIdle: UInt64

    /// A pool of `readers` (at most 64).
    init(readers: [ConnectionActor]) {
        precondition(readers.count <= UInt64.bitWidth, "at most \(UInt64.bitWidth) readers")
        self.all = readers
        self.allIdle = readers.count == UInt64.bitWidth ? .max : (1 << UInt64(readers.count)) - 1
        self.idle = Atomic(allIdle)
    }

    /// An idle reader, without waiting; `nil` when every reader is busy (or the pool is closing).
    /// The lease's connection is used through its queue (``ConnectionActor/run(_:)``).
    func tryAcquire() -> Lease? {
        guard !closed.load(ordering: .sequentiallyConsistent) else { return nil }
        var mask = idle.load(ordering: .sequentiallyConsistent)
        while mask != 0 {
            let slot = mask.trailingZeroBitCount
            let (taken, current) = idle.compareExchange(
                expected: mask,
                desired: mask & ~(1 << UInt64(slot)),
                ordering: .sequentiallyConsistent
            )
            if taken { return Lease(slot: slot, reader: all[slot]) }
            mask = current
        }
        return nil
    }

    /// An idle reader whose connection the caller uses on its own thread, off the reader's queue,
    /// until ``endInPlace(_:)`` or ``release(_:)``; `nil` when every reader is busy or the pool
    /// is closing. ``close()`` waits for such uses to end.
    func tryAcquireInPlace() -> Lease? {
        guard let lease = tryAcquire() else { return nil }
        let bit: UInt64 = 1 << UInt64(lease.slot)
        inPlace.bitwiseOr(bit, ordering: .sequentiallyConsistent)
        // Marked, then a look at `closed`; close stores `closed`, then looks at the marks
        // (sequentially consistent): one of the two sees the other.
        if closed.load(ordering: .sequentiallyConsistent) {
            release(lease)
            return nil
        }
        return lease
    }

    /// The caller no longer uses `lease`'s connection on its own thread; it keeps the lease (to run
    /// on the reader's queue).
    func endInPlace(_ lease: Lease) {
        inPlace.bitwiseAnd(~(1 << UInt64(lease.slot)), ordering: .sequentiallyConsistent)
    }

    /// An idle reader, waiting for one when all are busy; `nil` once the pool is closing.
    func acquire() async -> Lease? {
        if let lease = tryAcquire() { return lease }
        return await withCheckedContinuation { continuation in
            let registered = waiters.withLock { state in
                guard !state.closing else { return false }
                state.queue.append(continuation)
                waiting.wrappingAdd(1, ordering: .sequentiallyConsistent)
                return true
            }
            if registered {
                // A reader released between the look above and the registration: take it now.
                handOff()
            } else {
                continuation.resume(returning: nil)
            }
        }
    }

    /// Gives a leased reader back: to the first waiter, or to the idle set.
    func release(_ lease: Lease) {
        endInPlace(lease)
        idle.bitwiseOr(1 << UInt64(lease.slot), ordering: .sequentiallyConsistent)
        if waiting.load(ordering: .sequentiallyConsistent) > 0 { handOff() }
    }

    /// Pairs waiters with idle readers, first come first served, resuming each outside the lock.
    private func handOff() {
        while true {
            let match: (CheckedContinuation<Lease?, Never>, Lease)? = waiters.withLock { state in
                guard !state.queue.isEmpty, let lease = tryAcquire() else { return nil }
                waiting.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                return (state.queue.removeFirst(), lease)
            }
            guard let (continuation, lease) = match else { return }
            continuation.resume(returning: lease)
        }
    }

    /// Refuses new leases (waiters get `nil`, ``tryAcquire()`` and ``tryAcquireInPlace()`` `nil`),
    /// then waits, blocking the calling thread, until no connection is in use off its queue:
    /// ``SQLiteD1Database/close()`` calls this before closing the readers. Such uses are short
    /// (reads within the in-place budget, interrupted by close) and run on threads of their own.
    ///
    /// Leases used through a reader's queue are not waited for: closing the reader runs on that
    /// queue after what runs there, and what comes later is refused there. Waiting for them would
    /// wait for tasks that need a thread of Swift's cooperative pool to give their lease back —
    /// the pool whose thread this may be blocking (two closes at once held both threads of a
    /// 2-core pool for ever).
    func close() {
        closed.store(true, ordering: .sequentiallyConsistent)
        let stranded = waiters.withLock { state in
            state.closing = true
            waiting.wrappingSubtract(state.queue.count, ordering: .sequentiallyConsistent)
            defer { state.queue.removeAll() }
            return state.queue
        }
        for continuation in stranded { continuation.resume(returning: nil) }
        while inPlace.load(ordering: .sequentiallyConsistent) != 0 {
            usleep(100)
        }
    }
}
