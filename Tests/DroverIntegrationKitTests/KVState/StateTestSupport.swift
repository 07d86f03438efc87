import Drover
import DroverKV
import Foundation
import Synchronization

/// A temporary folder holding one file-backed KV namespace, removed when the value goes away.
final class StateTestNamespace: Sendable {
    let path: String
    let kv: FileKVNamespace
    let clock: ManualWallClock

    /// A namespace on a manual clock frozen at ``StateTestNamespace/start``.
    init(clock: ManualWallClock = StateTestNamespace.clock()) throws {
        path = NSTemporaryDirectory() + "drover-kit-state-" + UUID().uuidString
        self.clock = clock
        kv = try FileKVNamespace(directory: path + "/kv/state", clock: clock, logger: .disabled)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// 2026-01-01T00:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// A manual clock at ``start``.
    static func clock() -> ManualWallClock { ManualWallClock(start) }

    /// How far `clock` has moved since ``start``, in microseconds (exact: the start is a whole second).
    static func elapsed(_ clock: ManualWallClock) -> Int64 {
        Int64((clock.now().timeIntervalSince(start) * 1_000_000).rounded())
    }

    /// A second namespace in the same folder, on another clock (a ``QueuedSleepClock``).
    func namespace(clock: any WallClock) throws -> FileKVNamespace {
        try FileKVNamespace(directory: path + "/kv/stepped", clock: clock, logger: .disabled)
    }

    /// The JSON record stored under `key`, parsed.
    func record(_ key: String) async throws -> JSONValue? {
        try await kv.getJSON(key)
    }
}

/// A count shared by concurrent tasks.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Adds one and returns the new count.
    @discardableResult
    func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }

    var count: Int { value.withLock { $0 } }
}

/// A clock whose waits block until the test lets them end: each `sleep(for:)` is recorded and
/// suspends until ``resumeNextSleep()`` moves the time forward by its duration. Lets a test act
/// between a waiter's polls, deterministically.
final class QueuedSleepClock: WallClock {
    private struct State {
        var now: Date
        var sleeping: [(Duration, CheckedContinuation<Void, Never>)] = []
        var arrivals: [CheckedContinuation<Void, Never>] = []
        var slept: [Duration] = []
    }

    private let state: Mutex<State>

    init(_ start: Date) {
        state = Mutex(State(now: start))
    }

    func now() -> Date { state.withLock { $0.now } }

    func sleep(for duration: Duration) async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let arrivals = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.sleeping.append((duration, continuation))
                defer { state.arrivals.removeAll() }
                return state.arrivals
            }
            for arrival in arrivals { arrival.resume() }
        }
    }

    /// Waits until some task is sleeping.
    func waitForSleeper() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let someone = state.withLock { state -> Bool in
                if state.sleeping.isEmpty { state.arrivals.append(continuation) }
                return !state.sleeping.isEmpty
            }
            if someone { continuation.resume() }
        }
    }

    /// Ends the oldest sleep, moving the time forward by its duration.
    func resumeNextSleep() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.sleeping.isEmpty else { return nil }
            let (duration, continuation) = state.sleeping.removeFirst()
            let (seconds, attoseconds) = duration.components
            state.now = state.now.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
            state.slept.append(duration)
            return continuation
        }
        next?.resume()
    }

    /// Every sleep ended so far, in order.
    var slept: [Duration] { state.withLock { $0.slept } }
}

/// A clock that never moves: a sleep only yields and is counted. Under it a lock never expires
/// and a wait never runs out, so a test of concurrent callers depends on their order alone, never
/// on how many polls fit in a timeout while the scheduler is busy.
final class FrozenClock: WallClock {
    private let start: Date
    private let sleeps = Mutex(0)

    init(_ start: Date) {
        self.start = start
    }

    func now() -> Date { start }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        sleeps.withLock { $0 += 1 }
        await Task.yield()
    }

    /// How many sleeps began so far.
    var sleepCount: Int { sleeps.withLock { $0 } }
}
