import Drover
import Foundation
import Synchronization

/// Limits how many calls to one dependency run at once, so that a slow upstream ties up a bounded
/// share of the worker rather than all of it (resilience4j's semaphore bulkhead, Polly's
/// concurrency limiter).
///
/// A call beyond ``maxConcurrentCalls`` waits for a slot, first come first served, at most
/// ``maxWait`` (zero, the default: it is refused at once), and is refused when ``maxWaitingCalls``
/// calls already wait. A refusal is ``ResilienceError/Code/bulkheadFull`` (a 503 if a handler lets
/// it escape); a cancelled waiter throws `CancellationError` and takes no slot.
///
/// **In memory, on purpose.** Unlike a breaker's state, the count of calls in flight belongs to
/// the process: on the platform each isolate runs its own requests concurrently, and what a
/// bulkhead protects — the isolate's memory, its connection limit (six simultaneous outbound
/// connections per request on Workers), its time — is per isolate too. So a bulkhead is a plain
/// in-process object: keep one per dependency in your worker value, which serves every request,
/// not one per request. (A limit across every isolate and location would need a Durable Object.)
///
/// ```swift
/// struct Integrations: Worker {
///     let erpBulkhead = Bulkhead(name: "erp", maxConcurrentCalls: 4, maxWait: .milliseconds(500))
///
///     func fetch(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
///         try await erpBulkhead.run(clock: env.clock) { try await env.fetch.fetch(upstreamRequest) }
///     }
/// }
/// ```
public final class Bulkhead: Sendable {
    /// Names the bulkhead in errors and logs.
    public let name: String
    /// How many calls may run at once; at least 1 (a smaller value counts as 1).
    public let maxConcurrentCalls: Int
    /// How long a call may wait for a slot; zero (or negative) refuses it at once.
    public let maxWait: Duration
    /// How many calls may wait at once; at least 0 (a smaller value counts as 0). A call that
    /// would be one more is refused at once.
    public let maxWaitingCalls: Int

    private struct State {
        var active = 0
        var nextTicket: UInt64 = 0
        /// Waiting calls, oldest first.
        var queue: [UInt64] = []
        /// The suspended waiters among them.
        var continuations: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Waiters answered (granted a slot or not) before they suspended.
        var answered: [UInt64: Bool] = [:]
    }

    private enum Admission {
        case admitted
        case refused
        case queued(UInt64)
    }

    private let state = Mutex(State())

    /// A bulkhead.
    /// - Parameters:
    ///   - name: names it in errors and logs.
    ///   - maxConcurrentCalls: how many calls may run at once (at least 1).
    ///   - maxWait: how long a call may wait for a slot; zero (the default) refuses it at once.
    ///   - maxWaitingCalls: how many calls may wait at once (default 1,000).
    public init(name: String, maxConcurrentCalls: Int, maxWait: Duration = .zero, maxWaitingCalls: Int = 1_000) {
        self.name = name
        self.maxConcurrentCalls = max(1, maxConcurrentCalls)
        self.maxWait = maxWait
        self.maxWaitingCalls = max(0, maxWaitingCalls)
    }

    /// How many calls run now.
    public var activeCalls: Int {
        state.withLock { $0.active }
    }

    /// How many calls wait for a slot now.
    public var waitingCalls: Int {
        state.withLock { $0.queue.count }
    }

    /// Runs `operation` in a slot, waiting for one at most ``maxWait``.
    /// - Parameter clock: measures the wait (`env.clock`).
    /// - Returns: what `operation` returned.
    /// - Throws: ``ResilienceError/Code/bulkheadFull`` when no slot was free in time (the operation
    ///   did not run); `CancellationError` when the task was cancelled while waiting; otherwise
    ///   what `operation` threw. The slot is freed either way.
    public func run<T>(clock: any WallClock, _ operation: () async throws -> T) async throws -> T {
        try await acquire(clock: clock)
        defer { release() }
        return try await operation()
    }

    private func acquire(clock: any WallClock) async throws {
        let waits = maxWait > .zero
        let admission: Admission = state.withLock { state in
            if state.active < maxConcurrentCalls && state.queue.isEmpty {
                state.active += 1
                return .admitted
            }
            guard waits, state.queue.count < maxWaitingCalls else { return .refused }
            state.nextTicket += 1
            state.queue.append(state.nextTicket)
            return .queued(state.nextTicket)
        }
        switch admission {
        case .admitted:
            return
        case .refused:
            throw ResilienceError.bulkheadFull(name, maxConcurrentCalls: maxConcurrentCalls, waited: .zero)
        case .queued(let ticket):
            let granted = await withTaskCancellationHandler {
                await waitForSlot(ticket, clock: clock)
            } onCancel: {
                refuse(ticket)
            }
            guard granted else {
                try Task.checkCancellation()
                throw ResilienceError.bulkheadFull(name, maxConcurrentCalls: maxConcurrentCalls, waited: maxWait)
            }
        }
    }

    /// Waits until `ticket` is answered: granted a slot by ``release()``, or refused when
    /// ``maxWait`` passes on `clock` or the task is cancelled.
    private func waitForSlot(_ ticket: UInt64, clock: any WallClock) async -> Bool {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.suspend(ticket) }
            group.addTask {
                // Cancelled (the slot came, or the caller gave up): the waiter is answered elsewhere.
                guard (try? await clock.sleep(for: self.maxWait)) != nil else { return nil }
                self.refuse(ticket)
                return nil
            }
            var granted = false
            while let next = await group.next() {
                if let answer = next {
                    granted = answer
                    group.cancelAll()
                }
            }
            return granted
        }
    }

    /// Suspends until `ticket` is answered (at once when it already was).
    private func suspend(_ ticket: UInt64) async -> Bool {
        await withCheckedContinuation { continuation in
            let early: Bool? = state.withLock { state in
                if let answer = state.answered.removeValue(forKey: ticket) { return answer }
                state.continuations[ticket] = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
    }

    /// Refuses `ticket` if it still waits (a timeout or a cancellation; the first answer wins).
    private func refuse(_ ticket: UInt64) {
        let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard let index = state.queue.firstIndex(of: ticket) else { return nil }
            state.queue.remove(at: index)
            if let continuation = state.continuations.removeValue(forKey: ticket) { return continuation }
            state.answered[ticket] = false
            return nil
        }
        continuation?.resume(returning: false)
    }

    /// Frees a slot: hands it to the oldest waiter, if any, else returns it.
    private func release() {
        let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
            guard !state.queue.isEmpty else {
                state.active -= 1
                return nil
            }
            let ticket = state.queue.removeFirst()
            if let continuation = state.continuations.removeValue(forKey: ticket) { return continuation }
            state.answered[ticket] = true
            return nil
        }
        continuation?.resume(returning: true)
    }
}
