import Foundation

/// A circuit breaker's state as it is stored in KV, and the state machine that moves it. A value
/// type with no I/O: ``CircuitBreaker`` loads it, calls one of the mutating methods, and stores it.
///
/// The JSON (keys sorted by the encoder):
///
/// ```json
/// {"buckets":[],"calls":"ssfS","forced":false,"generation":3,"since":1767225600000,
///  "state":"closed","trials":"","trialsIssued":0,"version":1}
/// ```
///
/// - `state`: `closed`, `open` or `half_open`; `since`: when it was entered, in milliseconds since
///   the epoch; `generation`: counts the state changes, so that a call let through in one state is
///   not counted in a later one; `forced`: held open by `forceOpen()`.
/// - `calls`: a count window's calls, oldest first, one letter each: `s` success, `S` slow success,
///   `f` failure, `F` slow failure.
/// - `buckets`: a time window's seconds, `[second, calls, failed, slow]` each, `second` since the
///   epoch; only seconds that had calls.
/// - `trialsIssued`: the trial calls let through while half-open; `trials`: the outcomes of those
///   that ended, as letters.
struct CircuitBreakerRecord: Codable, Equatable, Sendable {
    /// The format's version; a record of another version is treated as corrupt.
    static let currentVersion = 1
    /// The largest value read back; a larger one is corrupt (a full window is well under it).
    static let maxEncodedBytes = 256 * 1024
    /// The most calls a bucket may claim: far past any real second, small enough that adding up
    /// 3,600 of them cannot overflow.
    static let maxBucketCalls: Int64 = 1_000_000_000

    var version: Int
    var state: CircuitBreakerState
    var since: Int64
    var generation: Int64
    var forced: Bool
    var calls: String
    var buckets: [[Int64]]
    var trialsIssued: Int
    var trials: String

    /// What one ended call counts as.
    enum Outcome: Character {
        case success = "s"
        case slowSuccess = "S"
        case failure = "f"
        case slowFailure = "F"

        init(failed: Bool, slow: Bool) {
            switch (failed, slow) {
            case (false, false): self = .success
            case (false, true): self = .slowSuccess
            case (true, false): self = .failure
            case (true, true): self = .slowFailure
            }
        }

        var failed: Bool { self == .failure || self == .slowFailure }
        var slow: Bool { self == .slowSuccess || self == .slowFailure }
    }

    /// Calls, failures and slow calls, added up.
    struct Counts: Equatable {
        var calls: Int64 = 0
        var failed: Int64 = 0
        var slow: Int64 = 0

        init(calls: Int64 = 0, failed: Int64 = 0, slow: Int64 = 0) {
            self.calls = calls
            self.failed = failed
            self.slow = slow
        }

        init(letters: String) {
            for letter in letters {
                guard let outcome = Outcome(rawValue: letter) else { continue }
                calls += 1
                if outcome.failed { failed += 1 }
                if outcome.slow { slow += 1 }
            }
        }

        var failureRate: Double { calls == 0 ? 0 : Double(failed) * 100 / Double(calls) }
        var slowCallRate: Double { calls == 0 ? 0 : Double(slow) * 100 / Double(calls) }
    }

    /// A state change the state machine made.
    struct Change: Equatable, Sendable {
        var from: CircuitBreakerState
        var to: CircuitBreakerState
        var reason: CircuitBreakerTransition.Reason
    }

    /// What ``admit(now:configuration:)`` decided.
    enum Admission: Equatable, Sendable {
        /// The call may go; `issuedTrial` when it took one of the half-open trial calls (the
        /// record changed and must be stored).
        case permitted(issuedTrial: Bool)
        /// The call is refused; `retryAfter` is the open wait left, when known.
        case refused(retryAfter: Duration?)
    }

    /// A closed breaker with an empty window, entered at `now`.
    static func initial(now: Date) -> CircuitBreakerRecord {
        CircuitBreakerRecord(
            version: currentVersion, state: .closed, since: milliseconds(now), generation: 0, forced: false,
            calls: "", buckets: [], trialsIssued: 0, trials: "")
    }

    /// When the state was entered.
    var sinceDate: Date {
        Date(timeIntervalSince1970: TimeInterval(since) / 1000)
    }

    /// Whether the record is one this code could have written: the right version, known letters,
    /// buckets of four sane numbers, sizes within the limits. (A record that is valid but was
    /// written under another configuration is fine: it is trimmed as it is used.)
    var isValid: Bool {
        let letters = Set("sSfF")
        return version == Self.currentVersion && since >= 0 && generation >= 0
            && calls.count <= CircuitBreakerConfiguration.maxWindowCalls && calls.allSatisfy(letters.contains)
            && trials.count <= CircuitBreakerConfiguration.maxHalfOpenCalls && trials.allSatisfy(letters.contains)
            && trialsIssued >= 0 && trialsIssued <= CircuitBreakerConfiguration.maxHalfOpenCalls
            && buckets.count <= CircuitBreakerConfiguration.maxWindowSeconds
            && buckets.allSatisfy { bucket in
                bucket.count == 4 && bucket[0] >= 0 && bucket[1] > 0 && bucket[1] <= Self.maxBucketCalls
                    && bucket[2] >= 0 && bucket[2] <= bucket[1] && bucket[3] >= 0 && bucket[3] <= bucket[1]
            }
    }

    // MARK: - The state machine

    /// Moves on with time: an open breaker whose wait is over becomes half-open; a half-open one
    /// whose trial calls did not all end within the half-open wait opens again.
    mutating func advance(now: Date, configuration: CircuitBreakerConfiguration) -> Change? {
        switch state {
        case .open where !forced && now >= sinceDate.adding(configuration.waitDurationInOpenState):
            return enter(.halfOpen, now: now, reason: .openWaitElapsed)
        case .halfOpen
        where configuration.maxWaitDurationInHalfOpenState > .zero
            && now >= sinceDate.adding(configuration.maxWaitDurationInHalfOpenState):
            return enter(.open, now: now, reason: .halfOpenWaitElapsed)
        default:
            return nil
        }
    }

    /// Decides whether a call may go now (after ``advance(now:configuration:)``).
    mutating func admit(now: Date, configuration: CircuitBreakerConfiguration) -> Admission {
        switch state {
        case .closed:
            return .permitted(issuedTrial: false)
        case .open:
            guard !forced else { return .refused(retryAfter: nil) }
            let left = sinceDate.adding(configuration.waitDurationInOpenState).timeIntervalSince(now)
            return .refused(retryAfter: .saturatingInterval(left))
        case .halfOpen:
            guard trialsIssued < configuration.effectivePermittedCallsInHalfOpenState else { return .refused(retryAfter: nil) }
            trialsIssued += 1
            return .permitted(issuedTrial: true)
        }
    }

    /// Gives back a half-open trial call that ended without an outcome to count (cancelled).
    mutating func returnTrial() {
        if state == .halfOpen { trialsIssued = max(0, trialsIssued - 1) }
    }

    /// Counts an ended call and decides: a closed breaker opens when the window holds the minimum
    /// number of calls and a rate reaches its threshold; a half-open one decides once all its trial
    /// calls have ended. An open breaker counts nothing.
    mutating func record(_ outcome: Outcome, now: Date, configuration: CircuitBreakerConfiguration) -> Change? {
        switch state {
        case .open:
            return nil
        case .closed:
            addToWindow(outcome, now: now, configuration: configuration)
            let counts = windowCounts(now: now, configuration: configuration)
            guard counts.calls >= Int64(configuration.effectiveMinimumNumberOfCalls) else { return nil }
            return verdict(on: counts, configuration: configuration).map { enter(.open, now: now, reason: $0) }
        case .halfOpen:
            trials.append(outcome.rawValue)
            let counts = Counts(letters: trials)
            guard counts.calls >= Int64(configuration.effectivePermittedCallsInHalfOpenState) else { return nil }
            if let reason = verdict(on: counts, configuration: configuration) {
                return enter(.open, now: now, reason: reason)
            }
            return enter(.closed, now: now, reason: .trialCallsSucceeded)
        }
    }

    /// Enters `state` at `now` with empty counts — except that a breaker opened by its calls keeps
    /// the calls that opened it, for its snapshot (as resilience4j's open state keeps the metrics of
    /// the state it left); nothing is counted while open, and they are dropped when it leaves.
    @discardableResult
    mutating func enter(_ state: CircuitBreakerState, now: Date, reason: CircuitBreakerTransition.Reason, forced: Bool = false) -> Change {
        let change = Change(from: self.state, to: state, reason: reason)
        let generation = self.generation == .max ? 0 : self.generation + 1
        let tripped = (calls: calls, buckets: buckets, trials: trials)
        self = Self.initial(now: now)
        self.generation = generation
        self.state = state
        self.forced = forced
        if state == .open && !forced {
            (calls, buckets, trials) = tripped
        }
        return change
    }

    /// Why `counts` trips the breaker, or `nil` when both rates are below their thresholds (the
    /// failure rate is checked first, as resilience4j does).
    private func verdict(on counts: Counts, configuration: CircuitBreakerConfiguration) -> CircuitBreakerTransition.Reason? {
        if counts.failureRate >= CircuitBreakerConfiguration.clampedRate(configuration.failureRateThreshold) {
            return .failureRateExceeded(counts.failureRate)
        }
        if counts.slowCallRate >= CircuitBreakerConfiguration.clampedRate(configuration.slowCallRateThreshold) {
            return .slowCallRateExceeded(counts.slowCallRate)
        }
        return nil
    }

    // MARK: - The sliding window

    /// Adds an ended call to the window, dropping what fell out of it.
    private mutating func addToWindow(_ outcome: Outcome, now: Date, configuration: CircuitBreakerConfiguration) {
        switch configuration.effectiveWindow {
        case .count(let size):
            buckets = []
            calls.append(outcome.rawValue)
            if calls.count > size { calls = String(calls.suffix(size)) }
        case .time(let seconds):
            calls = ""
            let second = Self.epochSecond(now)
            buckets = buckets.filter { $0[0] > second - Int64(seconds) && $0[0] <= second }
            let add: [Int64] = [1, outcome.failed ? 1 : 0, outcome.slow ? 1 : 0]
            if let index = buckets.firstIndex(where: { $0[0] == second }) {
                for field in 1...3 { buckets[index][field] = min(buckets[index][field] + add[field - 1], Self.maxBucketCalls) }
            } else {
                buckets.append([second] + add)
            }
        }
    }

    /// The window's counts at `now`, for the configured kind of window (a record written under the
    /// other kind counts as empty).
    func windowCounts(now: Date, configuration: CircuitBreakerConfiguration) -> Counts {
        switch configuration.effectiveWindow {
        case .count(let size):
            return Counts(letters: String(calls.suffix(size)))
        case .time(let seconds):
            let second = Self.epochSecond(now)
            var counts = Counts()
            for bucket in buckets where bucket[0] > second - Int64(seconds) && bucket[0] <= second {
                counts.calls += bucket[1]
                counts.failed += bucket[2]
                counts.slow += bucket[3]
            }
            return counts
        }
    }

    /// The counts the breaker is judged on now, and how many calls its rates need: the window's
    /// while closed, the trial calls' while half-open; while open, those that opened it (the
    /// failed trial calls, or the window), none when forced open.
    func currentCounts(now: Date, configuration: CircuitBreakerConfiguration) -> (counts: Counts, minimum: Int) {
        switch state {
        case .closed: (windowCounts(now: now, configuration: configuration), configuration.effectiveMinimumNumberOfCalls)
        case .halfOpen: (Counts(letters: trials), configuration.effectivePermittedCallsInHalfOpenState)
        case .open where !trials.isEmpty: (Counts(letters: trials), 1)
        case .open: (windowCounts(now: now, configuration: configuration), 1)
        }
    }

    // MARK: - Time

    /// Whole milliseconds since the epoch (0 before it, saturating far after it).
    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded(.down)
        return value <= 0 ? 0 : value >= 9.2e18 ? Int64.max : Int64(value)
    }

    /// Whole seconds since the epoch (0 before it, saturating far after it).
    static func epochSecond(_ date: Date) -> Int64 {
        milliseconds(date) / 1000
    }
}
