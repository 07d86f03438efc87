import Drover
import DroverKV
import Foundation
import Synchronization

@testable import DroverIntegrationKit

/// 2026-01-01T00:00:00Z, a Thursday: every test clock starts here.
let testStart = Date(timeIntervalSince1970: 1_767_225_600)

/// A manual clock that also records every wait it is asked for, exactly as asked.
final class RecordingClock: WallClock {
    let manual = ManualWallClock(testStart)
    private let recorded = Mutex<[Duration]>([])

    func now() -> Date { manual.now() }

    func sleep(for duration: Duration) async throws {
        recorded.withLock { $0.append(duration) }
        try await manual.sleep(for: duration)
    }

    /// The waits so far, in order.
    var sleeps: [Duration] { recorded.withLock { $0 } }

    /// Seconds since ``testStart``.
    var elapsed: TimeInterval { now().timeIntervalSince(testStart) }

    func advance(by interval: TimeInterval) { manual.advance(by: interval) }

    /// The manual clock's time limit: only the operation's own waits reach it.
    func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await manual.withTimeLimit(limit, operation)
    }
}

/// A clock whose waits end only when the test moves it past them (or the waiting task is
/// cancelled) — even a zero wait: for races that a clock that jumps forward at once would decide
/// by scheduling.
final class SteppedClock: WallClock {
    private struct Sleeper {
        let id: Int
        let deadline: Date
        var continuation: CheckedContinuation<Void, any Error>?
    }

    private struct State {
        var now = testStart
        var nextID = 0
        var sleepers: [Sleeper] = []
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    func now() -> Date { state.withLock { $0.now } }

    /// How many waits are pending.
    var pendingSleeps: Int { state.withLock { $0.sleepers.count } }

    /// When the pending waits end.
    var pendingDeadlines: [Date] { state.withLock { $0.sleepers.map(\.deadline) } }

    func sleep(for duration: Duration) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelledEarly = state.withLock { state -> Bool in
                    if state.cancelled.remove(id) != nil { return true }
                    let deadline = state.now.addingTimeInterval(duration.timeInterval)
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if cancelledEarly { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else {
                    state.cancelled.insert(id)
                    return nil
                }
                return state.sleepers.remove(at: index).continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes the waits that are due.
    func advance(by interval: TimeInterval) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now = state.now.addingTimeInterval(interval)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due.compactMap(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }
}

/// A generator that always answers the largest value: `UInt64.random(in: 0...n, using:)` is then
/// `n`, so full jitter waits exactly its ceiling.
struct MaxRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 { .max }
}

/// An upstream that answers from a script, one step per call.
final class ScriptedUpstream: Sendable {
    enum Step: Sendable {
        case ok
        case status(Int)
        case tooManyRequests(retryAfter: String)
        case unavailable(retryAfter: String)
        case timeout
        case connectionError
        /// Takes `seconds` on the clock, then answers 200.
        case slow(TimeInterval)
    }

    private let steps: Mutex<[Step]>
    private let count = Mutex(0)
    private let clock: RecordingClock?

    init(_ steps: [Step], clock: RecordingClock? = nil) {
        self.steps = Mutex(steps)
        self.clock = clock
    }

    /// How many calls were made.
    var calls: Int { count.withLock { $0 } }

    func call() async throws -> Response {
        let number = count.withLock { count -> Int in
            count += 1
            return count
        }
        let step = steps.withLock { $0.isEmpty ? Step.ok : $0.removeFirst() }
        switch step {
        case .ok: return Response("ok \(number)")
        case .status(let status): return Response("status \(status)", status: status)
        case .tooManyRequests(let value): return Response("slow down", status: 429, headers: ["Retry-After": value])
        case .unavailable(let value): return Response("later", status: 503, headers: ["Retry-After": value])
        case .timeout: throw FetchError(kind: .timeout, message: "call \(number) timed out")
        case .connectionError: throw FetchError(kind: .connection, message: "call \(number) refused")
        case .slow(let seconds):
            clock?.advance(by: seconds)
            return Response("ok \(number)")
        }
    }
}

/// A KV namespace whose every call fails, as an unreachable binding would.
struct UnreachableKV: KVNamespace {
    static let error = KVError("KV GET failed: 503 Service Unavailable")

    func getWithMetadata(_ key: String, cacheTtl: Int?) async throws -> KVEntry? { throw Self.error }
    func get(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValue?] { throw Self.error }
    func getWithMetadata(_ keys: [String], type: KVBulkType, cacheTtl: Int?) async throws -> [String: KVBulkValueWithMetadata?] {
        throw Self.error
    }
    func put(_ key: String, value: [UInt8], options: KVPutOptions) async throws { throw Self.error }
    func delete(_ key: String) async throws { throw Self.error }
    func list(_ options: KVListOptions) async throws -> KVListResult { throw Self.error }
}

/// Collects what a callback is given, across tasks.
final class Collected<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    var all: [Value] { values.withLock { $0 } }
}

/// Yields until `condition` holds: a hang guard for tests that wait on other tasks, with no
/// assertion on time. Returns whether it held before the guard ran out.
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<200_000 {
        if condition() { return true }
        await Task.yield()
    }
    return condition()
}

/// What `body` threw, or `nil`.
func thrown(_ body: () async throws -> Void) async -> (any Error)? {
    do {
        try await body()
        return nil
    } catch {
        return error
    }
}
