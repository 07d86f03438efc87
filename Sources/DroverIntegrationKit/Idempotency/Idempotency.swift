import Drover
import Foundation

/// Idempotent operations over a KV namespace, as Stripe's idempotency keys
/// (https://docs.stripe.com/api/idempotent_requests): the first request with a key runs, its result
/// is stored, and every repeat within the TTL answers that result without running again.
///
/// ```swift
/// let idempotency = Idempotency(kv: try env.kv("IDEMPOTENCY"), clock: env.clock)
/// guard let key = request.headers["idempotency-key"] else { throw HTTPError(400, "Idempotency-Key is required") }
/// return try await idempotency.run(key: key, fingerprint: try await Idempotency.fingerprint(of: request)) {
///     try await createPaymentIntent(request, env: env)        // a Response, stored and replayed
/// }
/// ```
///
/// For each call of `run(key:fingerprint:ttl:_:)`:
///
/// 1. **No record** (or an expired one): the call writes a lock record (its own id, and the instant
///    the lock expires: now + ``lockTimeout``), runs the operation, stores the result with its
///    expiry (now + `ttl`) in place of the lock, and returns it.
/// 2. **A result, same fingerprint**: returned without running (a `Response` gains
///    `Idempotent-Replayed: true`, Stripe's header; status, other fields and body bytes are the
///    stored ones).
/// 3. **Any live record, other fingerprint**: ``IdempotencyError`` `.conflict`, 422.
/// 4. **A live lock, same fingerprint** (a concurrent duplicate): the call waits, reading the record
///    every ``pollInterval`` on the clock, for at most ``waitTimeout``; when the result appears it
///    is returned (case 2); when the lock expires first (its holder crashed, or outran
///    ``lockTimeout``) this call takes over (case 1); when the wait runs out, `.inProgress`, 409.
/// 5. **The operation throws**: nothing is stored and the lock is removed, so a retry runs again —
///    unless ``cachesErrors``: then the failure (an `HTTPResponseError`'s status and message,
///    otherwise 500) is stored like a result and repeats throw it as `.storedFailure`. A
///    `CancellationError` is never stored.
///
/// Expiries are instants in the record, checked against `clock`: KV's own `expirationTtl` (given
/// too, so KV reclaims the record) counts whole seconds and is at least 60 s, too coarse for a lock.
///
/// **Consistency.** Records live in a ``KitStateStore``. In KV (``KVStateStore``, what `kv:`
/// gives) this is exact within one Drover process: reading the record and writing the lock are
/// one serialized update per key, and Drover's KV is strongly consistent, so concurrent duplicates
/// run the operation once. On the Workers platform KV is eventually consistent — a lock written in
/// one location may stay invisible elsewhere for 60 s or more — and takes at most one write per
/// second per key, so a KV lock is best-effort there: duplicates arriving at different locations
/// within that window can both run. Where running twice is unacceptable (a payment), keep the
/// records in Durable Objects (``DurableObjectStateStore``: one object per key, exact everywhere),
/// and pass the key on to an upstream that is idempotent itself (Stripe's `Idempotency-Key`).
public struct Idempotency: Sendable {
    /// The prefix of every record's KV key.
    public let keyPrefix: String
    /// How long a lock holds before another caller may take over: longer than the operation's
    /// longest run, or a slow first call and its duplicate both run.
    public let lockTimeout: Duration
    /// How long a concurrent duplicate waits for the first call's result before `.inProgress`.
    public let waitTimeout: Duration
    /// How often a waiting duplicate reads the record; at least one millisecond.
    public let pollInterval: Duration
    /// Whether a thrown error is stored and replayed like a result (Stripe stores 4xx and 5xx
    /// answers); `false` by default, so a failed request can be retried with the same key.
    public let cachesErrors: Bool

    private let store: any KitStateStore
    private let clock: any WallClock

    /// Idempotency records in `kv`.
    /// - Parameters:
    ///   - kv: where records and locks live (e.g. `env.kv("IDEMPOTENCY")`).
    ///   - clock: the only clock read and slept on: `env.clock`.
    ///   - keyPrefix: prepended to each key; `idempotency:` by default.
    ///   - lockTimeout: 30 seconds by default.
    ///   - waitTimeout: 10 seconds by default.
    ///   - pollInterval: 100 milliseconds by default; shorter than a millisecond is a millisecond.
    ///   - cachesErrors: `false` by default.
    public init(
        kv: any KVNamespace,
        clock: any WallClock,
        keyPrefix: String = "idempotency:",
        lockTimeout: Duration = .seconds(30),
        waitTimeout: Duration = .seconds(10),
        pollInterval: Duration = .milliseconds(100),
        cachesErrors: Bool = false
    ) {
        self.init(
            store: KVStateStore(kv: kv, clock: clock), clock: clock, keyPrefix: keyPrefix, lockTimeout: lockTimeout, waitTimeout: waitTimeout,
            pollInterval: pollInterval, cachesErrors: cachesErrors)
    }

    /// Idempotency records in `store`: KV (``KVStateStore``) or Durable Objects
    /// (``DurableObjectStateStore``, exact on the platform too). The parameters are
    /// ``init(kv:clock:keyPrefix:lockTimeout:waitTimeout:pollInterval:cachesErrors:)``'s.
    public init(
        store: any KitStateStore,
        clock: any WallClock,
        keyPrefix: String = "idempotency:",
        lockTimeout: Duration = .seconds(30),
        waitTimeout: Duration = .seconds(10),
        pollInterval: Duration = .milliseconds(100),
        cachesErrors: Bool = false
    ) {
        self.store = store
        self.clock = clock
        self.keyPrefix = keyPrefix
        self.lockTimeout = lockTimeout
        self.waitTimeout = waitTimeout
        self.pollInterval = max(pollInterval, .milliseconds(1))
        self.cachesErrors = cachesErrors
    }

    /// Runs `operation` once for `key`, storing its `Codable` result for `ttl`; repeats answer it.
    /// - Parameters:
    ///   - key: the client's idempotency key, 1 to 255 bytes.
    ///   - fingerprint: what identifies the request (``fingerprint(method:path:body:encoding:)``).
    ///   - ttl: how long the result is answered; 24 hours by default, as Stripe keeps keys.
    /// - Throws: ``IdempotencyError`` (see the type's table); what `operation` throws (the lock is
    ///   released first); the KV binding's errors and `EncodingError`s, also after the operation ran
    ///   (its result could not be stored).
    public func run<T: Codable & Sendable>(
        key: String,
        fingerprint: String,
        ttl: Duration = .seconds(86_400),
        _ operation: () async throws -> T
    ) async throws -> T {
        try await execute(key: key, fingerprint: fingerprint, ttl: ttl, operation).result
    }

    /// Runs `operation` once for `key`, storing the response it answers (status, fields, body
    /// bytes) for `ttl`; repeats answer the stored response with `Idempotent-Replayed: true`.
    ///
    /// Store any answer the client should see again, error statuses included: a `Response` is a
    /// result. Only a thrown error leaves no result (see ``cachesErrors``).
    /// - Throws: as the `Codable` form; `BodyError.tooLarge` when the body exceeds
    ///   ``StoredResponse/maximumBodyBytes`` (nothing is stored then).
    public func run(
        key: String,
        fingerprint: String,
        ttl: Duration = .seconds(86_400),
        _ operation: () async throws -> Response
    ) async throws -> Response {
        let (stored, replayed) = try await execute(key: key, fingerprint: fingerprint, ttl: ttl) {
            try await StoredResponse(try await operation())
        }
        var response = stored.response
        if replayed { response.headers.set("idempotent-replayed", "true") }
        return response
    }

    private enum Claim<Result: Sendable>: Sendable {
        case acquired(owner: String)
        case replay(Result)
        case failed(status: Int, message: String)
        case wait(until: Int64)
    }

    private func execute<Result: Codable & Sendable>(
        key: String,
        fingerprint: String,
        ttl: Duration,
        _ operation: () async throws -> Result
    ) async throws -> (result: Result, replayed: Bool) {
        guard (1...255).contains(key.utf8.count) else { throw IdempotencyError.invalidKey(key) }
        let recordKey = keyPrefix + key
        let digest = Self.hex(Crypto.sha256(fingerprint.utf8))
        let deadline = Microseconds.adding(Microseconds.of(clock.now()), Microseconds.of(waitTimeout))
        while true {
            let claim: Claim<Result> = try await self.claim(recordKey, key: key, digest: digest)
            switch claim {
            case .replay(let result):
                return (result, true)
            case .failed(let status, let message):
                throw IdempotencyError.storedFailure(key, status: status, message: message)
            case .acquired(let owner):
                let result = try await perform(operation, recordKey: recordKey, key: key, digest: digest, owner: owner, ttl: ttl)
                return (result, false)
            case .wait(let lockedUntil):
                let now = Microseconds.of(clock.now())
                guard now < deadline else {
                    throw IdempotencyError.inProgress(key, retryAfter: Microseconds.duration(max(0, lockedUntil - now)))
                }
                // Wake at the next poll, or exactly when the lock expires or the wait runs out.
                let pause = min(Microseconds.of(pollInterval), lockedUntil - now, deadline - now)
                try await clock.sleep(for: Microseconds.duration(max(1, pause)))
            }
        }
    }

    /// Reads the record and decides, in one update; takes the lock when there is no live record.
    private func claim<Result: Codable & Sendable>(_ recordKey: String, key: String, digest: String) async throws -> Claim<Result> {
        let lockTimeout = Microseconds.of(self.lockTimeout)
        let owner = Crypto.randomUUID()
        return try await store.update(recordKey) { bytes, date in
            let now = Microseconds.of(date)
            if let record: IdempotencyRecord<Result> = try Self.decode(bytes, key: key), record.isLive(at: now) {
                guard record.fingerprint == digest else { throw IdempotencyError.conflict(key) }
                switch record.state {
                case .running:
                    return KitStateChange(.keep, .wait(until: record.lockedUntil ?? now))
                case .completed:
                    guard let result = record.result else { throw IdempotencyError.corruptRecord(key) }
                    return KitStateChange(.keep, .replay(result))
                case .failed:
                    return KitStateChange(.keep, .failed(status: record.failureStatus ?? 500, message: record.failureMessage ?? "internal server error"))
                }
            }
            let lockedUntil = Microseconds.adding(now, lockTimeout)
            let lock = IdempotencyRecord<Result>.running(fingerprint: digest, owner: owner, lockedUntil: lockedUntil)
            return KitStateChange(try Self.write(lock, until: lockedUntil), .acquired(owner: owner))
        }
    }

    /// Runs the operation under the lock `owner` holds, then stores its result or settles its failure.
    private func perform<Result: Codable & Sendable>(
        _ operation: () async throws -> Result,
        recordKey: String,
        key: String,
        digest: String,
        owner: String,
        ttl: Duration
    ) async throws -> Result {
        let result: Result
        do {
            result = try await operation()
        } catch {
            // The operation's error is what the caller must see; a failure to settle leaves the
            // lock to expire on its own.
            let failure = storedFailure(of: error, digest: digest, ttl: ttl, as: Result.self)
            try? await releaseLock(of: owner, at: recordKey, key: key, replacingWith: failure)
            throw error
        }
        let ttl = Microseconds.of(ttl)
        do {
            try await store.update(recordKey) { bytes, date in
                let now = Microseconds.of(date)
                // A caller that took over this call's expired lock may have stored its own result
                // already: the first stored result stays the one answered.
                if let current: IdempotencyRecord<Result> = try? Self.decode(bytes, key: key), current.state == .completed, current.isLive(at: now) {
                    return KitStateChange(.keep, ())
                }
                let expiresAt = Microseconds.adding(now, ttl)
                return KitStateChange(try Self.write(IdempotencyRecord.completed(fingerprint: digest, result: result, expiresAt: expiresAt), until: expiresAt), ())
            }
        } catch {
            try? await releaseLock(of: owner, at: recordKey, key: key, replacingWith: IdempotencyRecord<Result>?.none)
            throw error
        }
        return result
    }

    /// The record that stores `error` when ``cachesErrors`` says so (never a cancellation): an
    /// `HTTPResponseError`'s status and message, otherwise a generic 500. `nil` otherwise.
    private func storedFailure<Result: Codable & Sendable>(
        of error: any Error,
        digest: String,
        ttl: Duration,
        as type: Result.Type
    ) -> IdempotencyRecord<Result>? {
        guard cachesErrors, !(error is CancellationError) else { return nil }
        let expiresAt = Microseconds.adding(Microseconds.of(clock.now()), Microseconds.of(ttl))
        if let answer = error as? any HTTPResponseError {
            return .failed(fingerprint: digest, status: answer.status, message: answer.message, expiresAt: expiresAt)
        }
        return .failed(fingerprint: digest, status: 500, message: "internal server error", expiresAt: expiresAt)
    }

    /// Removes the lock `owner` holds, or replaces it with `replacement`; a record that is no
    /// longer this owner's lock (after a takeover) is left alone.
    private func releaseLock<Result: Codable & Sendable>(
        of owner: String,
        at recordKey: String,
        key: String,
        replacingWith replacement: IdempotencyRecord<Result>?
    ) async throws {
        try await store.update(recordKey) { bytes, _ in
            guard let current: IdempotencyRecord<Result> = try? Self.decode(bytes, key: key), current.state == .running, current.owner == owner
            else { return KitStateChange(.keep, ()) }
            guard let replacement, let expiresAt = replacement.expiresAt else { return KitStateChange(.delete, ()) }
            return KitStateChange(try Self.write(replacement, until: expiresAt), ())
        }
    }

    private static func decode<Result: Codable>(_ bytes: [UInt8]?, key: String) throws -> IdempotencyRecord<Result>? {
        guard let bytes else { return nil }
        do {
            return try JSONDecoder().decode(IdempotencyRecord<Result>.self, from: Data(bytes))
        } catch {
            throw IdempotencyError.corruptRecord(key)
        }
    }

    /// The write that stores `record` until `until` (microseconds since 1970).
    private static func write<Result: Codable>(_ record: IdempotencyRecord<Result>, until: Int64) throws -> KitStateWrite {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .put(Array(try encoder.encode(record)), expiresAt: Microseconds.date(until))
    }
}
