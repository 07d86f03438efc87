import Drover
import Foundation

/// A circuit breaker whose state lives in KV, so every request and every worker that uses a
/// breaker of the same name sees the same state: once an upstream is failing, calls to it are
/// refused at once instead of piling up, until trial calls show it has recovered.
///
/// The semantics are resilience4j's (``CircuitBreakerConfiguration`` names every knob):
///
/// - **Closed**: calls go through, and each ended call is counted in a sliding window — the last
///   N calls, or the calls of the last N seconds in one bucket per second. Once the window holds
///   ``CircuitBreakerConfiguration/minimumNumberOfCalls``, a failure rate at or above
///   ``CircuitBreakerConfiguration/failureRateThreshold``, or a rate of slow calls (longer than
///   ``CircuitBreakerConfiguration/slowCallDurationThreshold``) at or above
///   ``CircuitBreakerConfiguration/slowCallRateThreshold``, opens the breaker. Failures are what
///   the configuration's classifier calls retryable: transport errors, timeouts, 408, 429, 5xx.
///   A call that was cancelled, or refused on this side before it reached the upstream — a
///   ``RateLimitError``, a full ``Bulkhead``, another open breaker — is not counted at all (as
///   resilience4j's ignored exceptions): it says nothing about the upstream, and in half-open its
///   trial goes to the next call.
/// - **Open**: calls are refused with ``ResilienceError/Code/circuitOpen`` without being made,
///   for ``CircuitBreakerConfiguration/waitDurationInOpenState``; then the next call finds the
///   breaker half-open.
/// - **Half-open**: ``CircuitBreakerConfiguration/permittedNumberOfCallsInHalfOpenState`` trial
///   calls go through, the others are refused; when the trial calls have all ended, a rate at or
///   above its threshold opens the breaker again, otherwise it closes with an empty window. Trial
///   calls that do not all end within ``CircuitBreakerConfiguration/maxWaitDurationInHalfOpenState``
///   open it again.
/// - ``forceOpen()`` holds it open until ``reset()``; ``reset()`` closes it with an empty window.
///
/// Time is the injected clock's (`env.clock`): a call's duration, the window's seconds and the
/// waits are all read from it. Each state change is reported to `onStateTransition` (from, to,
/// reason) and logged — a warning when the breaker opens, info otherwise; the state is exposed as
/// a gauge value by ``CircuitBreakerState/gaugeValue`` (0 closed, 1 half-open, 2 open).
///
/// **State in KV.** The state is one JSON value under ``CircuitBreakerConfiguration/keyPrefix`` +
/// name, read before each call, and read, updated and written back (`put(_:json:options:)`)
/// after it; a breaker value holds nothing but its settings, so make one per request from
/// `env`'s KV binding and clock. A value that cannot be read back — not JSON, another format
/// version, impossible counts, too large — is treated as a closed breaker with an empty window,
/// logged as a warning and overwritten, never a crash. A KV error (the binding is unreachable) is
/// logged and the call goes through uncounted: the breaker fails open rather than taking the
/// upstream down with it.
///
/// **What KV's consistency means on the real platform.** Workers KV is eventually consistent: a
/// write is visible at once in the location that made it, but other locations may read the old
/// value for up to about a minute, and KV has no compare-and-set. So across locations the
/// breaker's counts are approximate: two calls ending at the same moment each write their own
/// update and one is lost, a location may keep calling an upstream for a while after another has
/// opened the breaker, and two locations may make the same transition. Writes to one key are also
/// limited (about one a second); past that, writes fail, are logged, and the counts fall further
/// behind. This is enough to stop hammering an upstream that is down. When the counts must be
/// exact — every call seen, one transition — keep the breaker's state in a Durable Object, which
/// serializes every update of one name in one place.
///
/// ```swift
/// let breaker = CircuitBreaker(
///     name: "shopify",
///     configuration: CircuitBreakerConfiguration(slidingWindow: .count(20), minimumNumberOfCalls: 10),
///     kv: try env.kv("CACHE"), clock: env.clock, logger: ctx.logger)
/// let response = try await breaker.run { try await env.fetch.fetch(request) }
/// ```
public struct CircuitBreaker: Sendable {
    /// Names the breaker: its KV key, its events and its errors.
    public let name: String
    /// Its settings.
    public let configuration: CircuitBreakerConfiguration
    private let store: any KitStateStore
    private let clock: any WallClock
    private let logger: Logger
    private let onStateTransition: (@Sendable (CircuitBreakerTransition) -> Void)?

    /// A breaker on the state stored under `configuration.keyPrefix + name` in `kv`.
    /// - Parameters:
    ///   - name: the breaker's name; breakers of one name share one state.
    ///   - configuration: the thresholds, window and waits.
    ///   - kv: where the state lives (``KVStateStore``).
    ///   - clock: measures calls and waits (`env.clock`).
    ///   - logger: receives transitions and KV trouble (`ctx.logger`).
    ///   - onStateTransition: told of each state change this breaker makes.
    public init(
        name: String,
        configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        kv: any KVNamespace,
        clock: any WallClock,
        logger: Logger = .disabled,
        onStateTransition: (@Sendable (CircuitBreakerTransition) -> Void)? = nil
    ) {
        self.init(
            name: name, configuration: configuration, store: KVStateStore(kv: kv, clock: clock), clock: clock, logger: logger,
            onStateTransition: onStateTransition)
    }

    /// A breaker on the state stored under `configuration.keyPrefix + name` in `store`: KV
    /// (``KVStateStore``), or Durable Objects (``DurableObjectStateStore``: one object per breaker,
    /// so concurrent calls count exactly everywhere).
    public init(
        name: String,
        configuration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        store: any KitStateStore,
        clock: any WallClock,
        logger: Logger = .disabled,
        onStateTransition: (@Sendable (CircuitBreakerTransition) -> Void)? = nil
    ) {
        self.name = name
        self.configuration = configuration
        self.store = store
        self.clock = clock
        self.logger = logger
        self.onStateTransition = onStateTransition
    }

    /// The key of the state.
    public var key: String { configuration.keyPrefix + name }

    /// Runs `operation` if the breaker lets it, and counts its outcome: a returned value is a
    /// success, a thrown error is judged by the configuration's classifier.
    /// - Returns: what `operation` returned.
    /// - Throws: ``ResilienceError/Code/circuitOpen`` when the breaker refused the call (the
    ///   operation did not run); otherwise what `operation` threw.
    public func run<T>(_ operation: () async throws -> T) async throws -> T {
        try await execute(operation) { _ in .success }
    }

    /// Runs `operation` if the breaker lets it, and counts its outcome: the response's status is
    /// judged by the configuration's classifier (a 503 counts as a failure and is returned, not
    /// thrown), and so is a thrown error.
    /// - Returns: the response.
    /// - Throws: ``ResilienceError/Code/circuitOpen`` when the breaker refused the call (the
    ///   operation did not run); otherwise what `operation` threw.
    public func run(_ operation: () async throws -> Response) async throws -> Response {
        try await execute(operation) { configuration.classifier.classify($0) }
    }

    /// The state and counts stored now; an open wait that has passed reads as half-open (without
    /// writing anything). A corrupt value reads as a closed breaker, and is logged.
    /// - Throws: the KV binding's error when the state cannot be read.
    public func snapshot() async throws -> CircuitBreakerSnapshot {
        let now = clock.now()
        var record: CircuitBreakerRecord
        switch Self.decode(try await store.read(key)) {
        case .stored(let stored): record = stored
        case .absent: record = .initial(now: now)
        case .corrupt(let reason):
            Self.logCorrupt(reason, name: name, key: key, logger: logger)
            record = .initial(now: now)
        }
        _ = record.advance(now: now, configuration: configuration)
        let (counts, minimum) = record.currentCounts(now: now, configuration: configuration)
        let rated = counts.calls >= Int64(minimum) && counts.calls > 0
        return CircuitBreakerSnapshot(
            name: name, state: record.state, isForcedOpen: record.forced, since: record.sinceDate,
            calls: Int(counts.calls), failedCalls: Int(counts.failed), slowCalls: Int(counts.slow),
            failureRate: rated ? counts.failureRate : nil, slowCallRate: rated ? counts.slowCallRate : nil)
    }

    /// The state stored now (see ``snapshot()``).
    /// - Throws: the KV binding's error when the state cannot be read.
    public func state() async throws -> CircuitBreakerState {
        try await snapshot().state
    }

    /// Closes the breaker with an empty window, whatever its state (an operator's reset).
    /// - Throws: the KV binding's error when the state cannot be written.
    public func reset() async throws {
        try await override(to: .closed, reason: .reset, forced: false)
    }

    /// Opens the breaker and holds it open — no trial calls — until ``reset()`` (an operator
    /// taking an upstream out of service).
    /// - Throws: the KV binding's error when the state cannot be written.
    public func forceOpen() async throws {
        try await override(to: .open, reason: .forcedOpen, forced: true)
    }

    // MARK: - A call

    /// What a permitted call must match to be counted: the state it was let through in.
    private struct Permit: Sendable {
        var state: CircuitBreakerState
        var generation: Int64
    }

    private func execute<T>(_ operation: () async throws -> T, judge: (T) -> ErrorClassifier.Verdict) async throws -> T {
        let permit = try await admit()
        let started = clock.now()
        let value: T
        do {
            value = try await operation()
        } catch let error where error is CancellationError || Self.isLocalRefusal(error) {
            if let permit { await giveBack(permit) }
            throw error
        } catch {
            if let permit { await record(permit, verdict: configuration.classifier.classify(error), started: started) }
            throw error
        }
        if let permit { await record(permit, verdict: judge(value), started: started) }
        return value
    }

    /// Whether `error` is a refusal made on this side before the upstream was reached — a rate
    /// limit, a full bulkhead, another open breaker — which says nothing about the upstream.
    private static func isLocalRefusal(_ error: any Error) -> Bool {
        switch error {
        case is RateLimitError: true
        case let error as ResilienceError: error.code == .circuitOpen || error.code == .bulkheadFull
        default: false
        }
    }

    /// Lets a call through or refuses it. `nil`: let through uncounted (the state could not be read).
    private func admit() async throws -> Permit? {
        let configuration = self.configuration
        guard
            let (admission, change, permit, date) = await update({ record, now in
                let change = record.advance(now: now, configuration: configuration)
                let admission = record.admit(now: now, configuration: configuration)
                let write = change != nil || admission == .permitted(issuedTrial: true)
                return (write, (admission, change, Permit(state: record.state, generation: record.generation), now))
            })
        else { return nil }
        report(change, at: date)
        switch admission {
        case .permitted:
            return permit
        case .refused(let retryAfter):
            throw ResilienceError.circuitOpen(name, retryAfter: retryAfter)
        }
    }

    /// Counts a permitted call's outcome, if the breaker is still in the state that let it through.
    private func record(_ permit: Permit, verdict: ErrorClassifier.Verdict, started: Date) async {
        let configuration = self.configuration
        guard
            let (change, decision, date) = await update({ record, now in
                let change = record.advance(now: now, configuration: configuration)
                guard record.state == permit.state && record.generation == permit.generation else {
                    return (change != nil, (change, CircuitBreakerRecord.Change?.none, now))
                }
                let slow = now.timeIntervalSince(started) > configuration.slowCallDurationThreshold.timeInterval
                let outcome = CircuitBreakerRecord.Outcome(failed: verdict == .retryable, slow: slow)
                let decision = record.record(outcome, now: now, configuration: configuration)
                return (true, (change, decision, now))
            })
        else { return }
        report(change, at: date)
        report(decision, at: date)
    }

    /// Gives back the trial call of a cancelled call, so another may take it.
    private func giveBack(_ permit: Permit) async {
        guard permit.state == .halfOpen else { return }
        let configuration = self.configuration
        guard
            let (change, date) = await update({ record, now in
                let change = record.advance(now: now, configuration: configuration)
                if record.state == permit.state && record.generation == permit.generation { record.returnTrial() }
                return (true, (change, now))
            })
        else { return }
        report(change, at: date)
    }

    // MARK: - The stored state

    private enum Stored {
        case stored(CircuitBreakerRecord)
        case absent
        case corrupt(String)
    }

    /// What the stored bytes hold.
    private static func decode(_ bytes: [UInt8]?) -> Stored {
        guard let bytes else { return .absent }
        guard bytes.count <= CircuitBreakerRecord.maxEncodedBytes else {
            return .corrupt("\(bytes.count) bytes, more than a breaker's state can take")
        }
        let record: CircuitBreakerRecord
        do {
            record = try JSONDecoder().decode(CircuitBreakerRecord.self, from: Data(bytes))
        } catch {
            return .corrupt("not a breaker's state: \(error)")
        }
        guard record.isValid else { return .corrupt("a breaker's state with impossible values") }
        return .stored(record)
    }

    /// Runs `body` on the record in one update of the store: a closed record when there is none; a
    /// corrupt one is logged and replaced by a closed one, written back (so that the call it lets
    /// through is counted against it). `body` says whether to write the record back.
    /// - Returns: `body`'s result; `nil` when the store failed (logged: the call goes through
    ///   uncounted, or its outcome is lost).
    private func update<T: Sendable>(_ body: @escaping @Sendable (inout CircuitBreakerRecord, Date) -> (write: Bool, result: T)) async -> T? {
        let name = self.name
        let key = self.key
        let logger = self.logger
        do {
            return try await store.update(key) { bytes, now in
                var record: CircuitBreakerRecord
                var repaired = false
                switch Self.decode(bytes) {
                case .stored(let stored): record = stored
                case .absent: record = .initial(now: now)
                case .corrupt(let reason):
                    Self.logCorrupt(reason, name: name, key: key, logger: logger)
                    record = .initial(now: now)
                    repaired = true
                }
                let (write, result) = body(&record, now)
                guard write || repaired else { return KitStateChange(.keep, result) }
                return KitStateChange(.put(try Self.encode(record), expiresAt: nil), result)
            }
        } catch {
            logger.error(
                "circuit breaker \(name): cannot read or write its state (\(error)); the call goes through uncounted",
                metadata: ["circuit_breaker": name])
            return nil
        }
    }

    private static func encode(_ record: CircuitBreakerRecord) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(record))
    }

    /// Writes a state chosen by an operator, reporting the change.
    private func override(to state: CircuitBreakerState, reason: CircuitBreakerTransition.Reason, forced: Bool) async throws {
        let (change, date) = try await store.update(key) { bytes, now in
            var record: CircuitBreakerRecord
            switch Self.decode(bytes) {
            case .stored(let stored): record = stored
            default: record = .initial(now: now)
            }
            let change = record.enter(state, now: now, reason: reason, forced: forced)
            return KitStateChange(.put(try Self.encode(record), expiresAt: nil), (change, now))
        }
        report(change, at: date)
    }

    // MARK: - Events

    /// Logs `change` and tells the callback, when there is one.
    private func report(_ change: CircuitBreakerRecord.Change?, at date: Date) {
        if let change {
            let transition = CircuitBreakerTransition(name: name, from: change.from, to: change.to, reason: change.reason, date: date)
            let level: Logger.Level = change.to == .open ? .warning : .info
            logger.log(
                level, "circuit breaker \(name): \(change.from) -> \(change.to) (\(Self.describe(change.reason)))",
                metadata: ["circuit_breaker": name, "from": change.from.rawValue, "to": change.to.rawValue])
            onStateTransition?(transition)
        }
    }

    private static func logCorrupt(_ reason: String, name: String, key: String, logger: Logger) {
        logger.warning(
            "circuit breaker \(name): the state stored under \(key) is corrupt (\(reason)); treated as closed",
            metadata: ["circuit_breaker": name])
    }

    private static func describe(_ reason: CircuitBreakerTransition.Reason) -> String {
        switch reason {
        case .failureRateExceeded(let rate): "failure rate \(rate)% reached the threshold"
        case .slowCallRateExceeded(let rate): "slow-call rate \(rate)% reached the threshold"
        case .openWaitElapsed: "the open wait is over"
        case .trialCallsSucceeded: "the trial calls succeeded"
        case .halfOpenWaitElapsed: "the trial calls did not end within the half-open wait"
        case .reset: "reset"
        case .forcedOpen: "forced open"
        }
    }
}
