/// The KV record of one idempotency key, JSON: the lock while the first request runs, then its
/// result (or, when failures are cached, its failure) until the TTL ends.
///
/// ```json
/// {"fingerprint": "<hex SHA-256 of the caller's fingerprint>", "lockedUntil": 1767225630000000,
///  "owner": "<random UUID>", "state": "running"}
/// {"expiresAt": 1767312000000000, "fingerprint": "…", "result": {…}, "state": "completed"}
/// {"expiresAt": …, "failureMessage": "card declined", "failureStatus": 402, "fingerprint": "…", "state": "failed"}
/// ```
///
/// Instants are microseconds since the Unix epoch, checked against the injected clock: KV's own
/// expiry counts whole seconds and is at least 60 s away, so it only reclaims the record later.
struct IdempotencyRecord<Result: Codable>: Codable {
    enum State: String, Codable {
        case running, completed, failed
    }

    var state: State
    /// Hex SHA-256 of the fingerprint the key was first used with (bounded, whatever the caller's).
    var fingerprint: String
    /// The lock holder's id (`running`).
    var owner: String?
    /// When the lock expires and another caller may take over (`running`).
    var lockedUntil: Int64?
    /// When the result or failure stops being answered (`completed`, `failed`).
    var expiresAt: Int64?
    /// The stored result (`completed`).
    var result: Result?
    /// The stored failure's status and message (`failed`).
    var failureStatus: Int?
    var failureMessage: String?

    /// Whether the record still counts at `now`: a lock not yet expired, a result within its TTL.
    func isLive(at now: Int64) -> Bool {
        switch state {
        case .running: (lockedUntil ?? 0) > now
        case .completed, .failed: (expiresAt ?? 0) > now
        }
    }

    static func running(fingerprint: String, owner: String, lockedUntil: Int64) -> IdempotencyRecord {
        IdempotencyRecord(state: .running, fingerprint: fingerprint, owner: owner, lockedUntil: lockedUntil)
    }

    static func completed(fingerprint: String, result: Result, expiresAt: Int64) -> IdempotencyRecord {
        IdempotencyRecord(state: .completed, fingerprint: fingerprint, expiresAt: expiresAt, result: result)
    }

    static func failed(fingerprint: String, status: Int, message: String, expiresAt: Int64) -> IdempotencyRecord {
        IdempotencyRecord(state: .failed, fingerprint: fingerprint, expiresAt: expiresAt, failureStatus: status, failureMessage: message)
    }
}
extension IdempotencyRecord: Sendable where Result: Sendable {}
