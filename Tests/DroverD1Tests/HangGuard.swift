import Dispatch
import Drover
import Synchronization
import Testing

/// Waits for a task with a generous bound: a guard against a hang, never a timing assertion. The
/// bound is long because a full run on two cores can keep a task waiting for a thread for many
/// seconds (see `Duration.testHangGuard`).
enum HangGuard {
    /// `task`'s outcome, or `nil` (with an issue recorded) when it has not finished within
    /// `seconds`. A task still running then is left behind, not awaited, so a hang fails the test
    /// instead of stalling the run.
    static func outcome<T: Sendable>(
        of task: Task<T, any Error>,
        within seconds: Int = 120,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> Result<T, any Error>? {
        let outcome: Result<T, any Error>? = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            let timer = Task {
                try? await Task.sleep(for: .seconds(seconds))
                // Cancelled: the task finished first.
                if !Task.isCancelled { once.resume(nil) }
            }
            Task {
                let result = await task.result
                once.resume(result)
                timer.cancel()
            }
        }
        if outcome == nil { Issue.record("still running after \(seconds) s: a hang", sourceLocation: sourceLocation) }
        return outcome
    }

    /// The message of the error `task` threw (a `D1Error`'s own message), `"no error"` when it
    /// succeeded, `nil` on a hang.
    static func errorMessage<T: Sendable>(
        of task: Task<T, any Error>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> String? {
        guard let outcome = await outcome(of: task, sourceLocation: sourceLocation) else { return nil }
        switch outcome {
        case .success: return "no error"
        case .failure(let error as D1Error): return error.message
        case .failure(let error): return "\(error)"
        }
    }
}

/// A continuation resumed by whichever of two tasks comes first; the later one is ignored.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, Never>?>

    init(_ continuation: CheckedContinuation<T, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: T) {
        let first = continuation.withLock { continuation in
            defer { continuation = nil }
            return continuation
        }
        first?.resume(returning: value)
    }
}

/// A task executor with one serial queue, standing in for an HTTP event loop's thread: while a
/// job holds it, no other job of its tasks runs.
///
/// `@unchecked Sendable`: the only stored property is a `DispatchQueue`, itself thread-safe; Linux's
/// Dispatch does not mark it `Sendable`.
final class SerialTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
