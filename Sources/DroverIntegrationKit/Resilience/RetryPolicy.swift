import Drover
import Foundation

/// Retries a call that failed transiently, waiting between attempts with exponential backoff and
/// full jitter, or as long as the upstream's `Retry-After` asks — within a number of attempts and,
/// optionally, a deadline.
///
/// **Which outcomes are retried.** Those its ``classifier`` calls ``ErrorClassifier/Verdict/retryable``:
/// by default a timeout, a connection or DNS failure, a 408, a 429 or a 5xx. Anything else is
/// returned (a response) or rethrown (an error) at once.
///
/// **How long it waits.** After a failed attempt *n* (from 1), the wait is drawn uniformly from
/// `0...min(maxDelay, baseDelay × 2^(n−1))` — AWS's "full jitter"
/// (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): with many clients
/// failing together, spreading each wait over the whole range is what keeps them from retrying in
/// lock-step. The random source is the `using:` generator (pass a seeded one in tests). When the
/// failed response carries a valid `Retry-After` (RFC 9110 §10.2.3; a thrown ``HTTPResponseError``'s
/// headers count too), its wait replaces the backoff, capped at ``maxRetryAfter``; an HTTP-date is
/// read against the clock's `now()`.
///
/// **When it gives up.** After ``maxAttempts`` attempts, or when the next wait would not end
/// before the deadline (``maxDuration`` after the run started, on the clock): no attempt starts at
/// or after the deadline, and the policy never sleeps past it. Giving up returns the last response
/// or throws the last error, unchanged. (The deadline bounds the waits and the start of each
/// attempt, not an attempt in flight: bound those with ``withTimeout(_:clock:name:_:)``.)
///
/// Every wait goes through the clock's `sleep(for:)` — `env.clock` in a handler, so a test on a
/// ``ManualWallClock`` runs the whole schedule in no real time and reads the waits exactly. A
/// cancelled task stops waiting and throws `CancellationError`.
///
/// ```swift
/// let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(200), maxDuration: .seconds(10))
/// let response = try await policy.run(clock: env.clock, onAttempt: { attempt in
///     if case .retrying = attempt.decision { metrics.increment("integration_retries_total") }
/// }) {
///     try await env.fetch.fetch(request)
/// }
/// ```
public struct RetryPolicy: Sendable {
    /// How many attempts in all, the first one included; at least 1 (a smaller value counts as 1).
    /// Default 3.
    public var maxAttempts: Int
    /// The backoff's first ceiling: the wait after the first failure is drawn from `0...baseDelay`,
    /// and the ceiling doubles after each failure. Default 200 ms.
    public var baseDelay: Duration
    /// The backoff's cap: no ceiling grows past it. Default 30 s.
    public var maxDelay: Duration
    /// How long a run may last, measured on the clock from its start: a wait that would not end
    /// before then is not taken. `nil` (the default) for no deadline.
    public var maxDuration: Duration?
    /// The longest wait a `Retry-After` may ask for; a longer one is cut to this. Default 60 s.
    public var maxRetryAfter: Duration
    /// Which outcomes are worth another attempt. Default ``ErrorClassifier/standard``.
    public var classifier: ErrorClassifier

    /// A policy; every parameter has the default documented on its property.
    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(200),
        maxDelay: Duration = .seconds(30),
        maxDuration: Duration? = nil,
        maxRetryAfter: Duration = .seconds(60),
        classifier: ErrorClassifier = .standard
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxDuration = maxDuration
        self.maxRetryAfter = maxRetryAfter
        self.classifier = classifier
    }

    /// The backoff's ceiling after failed attempt `attempt` (from 1): `min(maxDelay, baseDelay ×
    /// 2^(attempt−1))`, saturating rather than overflowing. The wait is drawn from `0...` this.
    public func backoffCeiling(afterAttempt attempt: Int) -> Duration {
        let cap = maxDelay.clampedNanoseconds
        let base = min(baseDelay.clampedNanoseconds, cap)
        let doublings = max(0, attempt - 1)
        guard base > 0, doublings < 64, base <= cap >> UInt64(doublings) else { return .saturatingNanoseconds(cap) }
        return .saturatingNanoseconds(base << UInt64(doublings))
    }

    /// Runs `operation` until it succeeds, fails for good, or the policy gives up; a returned value
    /// is a success, a thrown error is classified.
    /// - Parameters:
    ///   - clock: reads the deadline and waits between attempts (`env.clock`).
    ///   - generator: the jitter's random source.
    ///   - onAttempt: told of each attempt and the decision after it, before any wait.
    /// - Returns: the first successful result.
    /// - Throws: the error of the last attempt when it was not retryable or the policy gave up;
    ///   `CancellationError` when the task is cancelled during a wait.
    public func run<T, Generator: RandomNumberGenerator>(
        clock: any WallClock,
        using generator: inout Generator,
        onAttempt: (RetryAttempt) -> Void = { _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        try await execute(clock: clock, generator: &generator, onAttempt: onAttempt, operation: operation) { _ in (.success, nil) }
    }

    /// Runs `operation` until it answers a response that is not worth retrying, or the policy
    /// gives up; responses are classified (a 503 is retried) and their `Retry-After` honoured.
    /// - Parameters:
    ///   - clock: reads the deadline and `Retry-After` dates, and waits between attempts (`env.clock`).
    ///   - generator: the jitter's random source.
    ///   - onAttempt: told of each attempt and the decision after it, before any wait.
    /// - Returns: the first response that is a success or not retryable, or the last response when
    ///   the policy gave up on a retryable one (a 503 after the last attempt is returned, not thrown).
    /// - Throws: the error of the last attempt when it threw and was not retryable or the policy
    ///   gave up; `CancellationError` when the task is cancelled during a wait.
    public func run<Generator: RandomNumberGenerator>(
        clock: any WallClock,
        using generator: inout Generator,
        onAttempt: (RetryAttempt) -> Void = { _ in },
        _ operation: () async throws -> Response
    ) async throws -> Response {
        try await execute(clock: clock, generator: &generator, onAttempt: onAttempt, operation: operation) { response in
            (classifier.classify(response), response.headers)
        }
    }

    /// Runs `operation` as `run(clock:using:onAttempt:_:)` does, with the system's random generator.
    public func run<T>(
        clock: any WallClock,
        onAttempt: (RetryAttempt) -> Void = { _ in },
        _ operation: () async throws -> T
    ) async throws -> T {
        var generator = SystemRandomNumberGenerator()
        return try await run(clock: clock, using: &generator, onAttempt: onAttempt, operation)
    }

    /// Runs `operation`, classifying its responses, as `run(clock:using:onAttempt:_:)` does, with the
    /// system's random generator.
    public func run(
        clock: any WallClock,
        onAttempt: (RetryAttempt) -> Void = { _ in },
        _ operation: () async throws -> Response
    ) async throws -> Response {
        var generator = SystemRandomNumberGenerator()
        return try await run(clock: clock, using: &generator, onAttempt: onAttempt, operation)
    }

    /// The loop behind every `run`: `judge` gives a returned value's verdict and the headers that
    /// may carry `Retry-After`.
    private func execute<T, Generator: RandomNumberGenerator>(
        clock: any WallClock,
        generator: inout Generator,
        onAttempt: (RetryAttempt) -> Void,
        operation: () async throws -> T,
        judge: (T) -> (ErrorClassifier.Verdict, Headers?)
    ) async throws -> T {
        let deadline = maxDuration.map { clock.now().adding($0) }
        let attempts = max(1, maxAttempts)
        var number = 0
        while true {
            number += 1
            let result: Result<T, any Error>
            let verdict: ErrorClassifier.Verdict
            let headers: Headers?
            do {
                let value = try await operation()
                (verdict, headers) = judge(value)
                result = .success(value)
            } catch {
                verdict = classifier.classify(error)
                headers = (error as? any HTTPResponseError)?.headers
                result = .failure(error)
            }
            let now = clock.now()
            var report = RetryAttempt(number: number, decision: .succeeded, endedAt: now)
            if case .success(let value) = result, let response = value as? Response { report.status = response.status }
            if case .failure(let error) = result { report.error = error }

            switch verdict {
            case .success:
                onAttempt(report)
                return try result.get()
            case .nonRetryable:
                report.decision = .notRetryable
                onAttempt(report)
                return try result.get()
            case .retryable:
                guard number < attempts else {
                    report.decision = .attemptsExhausted
                    onAttempt(report)
                    return try result.get()
                }
                let delay: Duration
                if let asked = headers.flatMap({ RetryAfter.delay(in: $0, now: now) }) {
                    delay = min(asked, maxRetryAfter)
                    report.delaySource = .retryAfter
                } else {
                    let ceiling = backoffCeiling(afterAttempt: number).clampedNanoseconds
                    delay = .saturatingNanoseconds(UInt64.random(in: 0...ceiling, using: &generator))
                    report.delaySource = .backoff
                }
                if let deadline, now.adding(delay) >= deadline {
                    report.decision = .deadlineReached
                    onAttempt(report)
                    return try result.get()
                }
                report.decision = .retrying(after: delay)
                onAttempt(report)
                try await clock.sleep(for: delay)
            }
        }
    }
}
