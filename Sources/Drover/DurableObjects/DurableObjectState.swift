import Synchronization

/// What a Durable Object is given (`ctx` in its constructor): its id, its storage, and
/// ``blockConcurrencyWhile(_:)``.
public final class DurableObjectState: Sendable {
    /// The object's id.
    public let id: DurableObjectId
    /// The object's storage.
    public let storage: any DurableObjectStorage
    /// Holds events back while ``blockConcurrencyWhile(_:)`` runs.
    package let gate: DurableObjectInputGate

    /// The state of the object `id`.
    package init(id: DurableObjectId, storage: any DurableObjectStorage, gate: DurableObjectInputGate) {
        self.id = id
        self.storage = storage
        self.gate = gate
    }

    /// Runs `body` while no new request, call or alarm reaches the object, even across the
    /// `await`s inside it (events already running go on). For setup that must finish before the
    /// object serves — loading state from elsewhere, a migration of its own tables.
    /// - Throws: what `body` threw; the object is then reset, as on the platform: the next event
    ///   builds it again from its storage.
    ///
    /// Calls nest: one inside another (or inside the initializer's) runs at once, as do the
    /// object's own events that `body` waits for.
    public func blockConcurrencyWhile<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let gate = self.gate
        if gate.isHeldByCurrentTask { return try await body() }
        await gate.close()
        defer { gate.open() }
        do {
            return try await gate.holding { try await body() }
        } catch {
            gate.markBroken()
            throw error
        }
    }

    /// Starts `body` and holds every event back until it ends — the form to use in an object's
    /// initializer, which cannot `await` (a constructor's `ctx.blockConcurrencyWhile(...)`, not
    /// awaited, on the platform). The gate closes before this returns. When `body` throws, the
    /// object is reset.
    public func blockConcurrencyWhile(_ body: @escaping @Sendable () async throws -> Void) {
        let gate = self.gate
        let closed = gate.closeNow()
        Task {
            if !closed { await gate.close() }
            defer { gate.open() }
            do {
                try await gate.holding { try await body() }
            } catch {
                gate.markBroken()
            }
        }
    }
}

/// Events wait here while ``DurableObjectState/blockConcurrencyWhile(_:)`` runs.
package final class DurableObjectInputGate: Sendable {
    private struct State {
        var closed = false
        var broken = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    package init() {}

    /// The gates the current task holds closed (inside `blockConcurrencyWhile`).
    @TaskLocal private static var held: Set<ObjectIdentifier> = []

    /// Whether the current task runs inside a `blockConcurrencyWhile` of this gate.
    package var isHeldByCurrentTask: Bool { Self.held.contains(ObjectIdentifier(self)) }

    /// Runs `body` as the holder of this gate: its events and nested calls pass.
    package func holding<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await Self.$held.withValue(Self.held.union([ObjectIdentifier(self)])) { try await body() }
    }

    /// Waits while the gate is closed (by another task than the current one).
    package func pass() async {
        // The open gate, nearly always: no suspension.
        if !state.withLock({ $0.closed }) || isHeldByCurrentTask { return }
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state -> Bool in
                guard state.closed else { return true }
                state.waiters.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    /// Waits until the gate is open, then closes it.
    package func close() async {
        while true {
            await pass()
            let closed = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.closed = true
                return true
            }
            if closed { return }
        }
    }

    /// Closes the gate when it is open; whether it did.
    package func closeNow() -> Bool {
        state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.closed = true
            return true
        }
    }

    /// Opens the gate and lets every waiting event through.
    package func open() {
        let waiters = state.withLock { state in
            state.closed = false
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Marks the object for a reset: its host builds a new instance for the next event.
    package func markBroken() {
        state.withLock { $0.broken = true }
    }

    /// Whether ``markBroken()`` was called.
    package var isBroken: Bool { state.withLock { $0.broken } }
}
