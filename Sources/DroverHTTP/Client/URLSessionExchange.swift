import Dispatch
import Drover
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One request-response exchange on a `URLSessionDataTask`: it collects the response head and
/// body the session delegate reports, and resumes its waiter exactly once, with the first of
/// completion, timeout, cancellation or an over-long body.
final class URLSessionExchange: Sendable {
    /// What the exchange ends with.
    typealias Outcome = Result<(HTTPURLResponse, [UInt8]), any Error>

    private struct State {
        var continuation: CheckedContinuation<(HTTPURLResponse, [UInt8]), any Error>?
        var outcome: Outcome?
        var body: [UInt8] = []
        var timer: TimerItem?
    }

    /// The work item that times the exchange out. `@unchecked Sendable`: a `DispatchWorkItem` is
    /// only cancelled here, and `cancel()` is thread-safe (Dispatch documents it as such).
    private struct TimerItem: @unchecked Sendable {
        let item: DispatchWorkItem
    }

    /// The most response body bytes accepted.
    let maximumBodyBytes: Int
    private let state = Mutex(State())

    init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Installs the waiter; resumes it at once if the exchange already ended (cancelled before
    /// the continuation existed).
    func wait(with continuation: CheckedContinuation<(HTTPURLResponse, [UInt8]), any Error>) {
        let ended: Outcome? = state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        if let ended { continuation.resume(with: ended) }
    }

    /// Keeps the work item that times the exchange out, so that ending the exchange cancels it;
    /// cancels it at once when the exchange has already ended.
    /// - Returns: whether the exchange is still running (the task should then be started).
    @discardableResult
    func arm(_ timer: DispatchWorkItem) -> Bool {
        let ended = state.withLock { state in
            if state.outcome != nil { return true }
            state.timer = TimerItem(item: timer)
            return false
        }
        if ended { timer.cancel() }
        return !ended
    }

    /// Appends body bytes.
    /// - Returns: `false` when the body is now longer than ``maximumBodyBytes`` (the exchange has
    ///   then ended with an error and the caller cancels the task).
    func append(_ data: Data) -> Bool {
        let tooLong = state.withLock { state in
            guard state.outcome == nil else { return false }
            state.body.append(contentsOf: data)
            return state.body.count > maximumBodyBytes
        }
        if tooLong {
            finish(.failure(FetchError(kind: .other, message: "response body larger than \(maximumBodyBytes) bytes")))
            return false
        }
        return true
    }

    /// Ends the exchange with the task's response and the collected body.
    func complete(response: HTTPURLResponse) {
        let body = state.withLock { $0.body }
        finish(.success((response, body)))
    }

    /// Ends the exchange with `outcome` unless it has already ended; resumes the waiter outside
    /// the lock.
    func finish(_ outcome: Outcome) {
        let (continuation, timer): (CheckedContinuation<(HTTPURLResponse, [UInt8]), any Error>?, TimerItem?) =
            state.withLock { state in
                guard state.outcome == nil else { return (nil, nil) }
                state.outcome = outcome
                state.body = []
                defer {
                    state.continuation = nil
                    state.timer = nil
                }
                return (state.continuation, state.timer)
            }
        timer?.item.cancel()
        continuation?.resume(with: outcome)
    }
}
