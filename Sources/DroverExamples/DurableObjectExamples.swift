import Drover

/// A rate limiter per client, as a Durable Object (README, "Durable Objects"): one object per
/// client IP (`LIMITER.getByName(ip)`), a token bucket in its storage. Reading the bucket and
/// writing it back is one step of the actor, so concurrent requests of one client cannot both
/// spend its last token — what KV, eventually consistent, cannot promise.
package actor ClientRateLimiter: DurableObject {
    /// Tokens a client has when it starts, and at most.
    package static let capacity = 10.0
    /// Tokens it earns back per second.
    package static let refillPerSecond = 10.0 / 60

    private let ctx: DurableObjectState
    private let clock: any WallClock

    package init(ctx: DurableObjectState, env: Env) {
        self.ctx = ctx
        self.clock = env.clock
    }

    /// Takes one token: `nil` when the request may go ahead, or how many seconds until one is there.
    package func take() throws -> Int? {
        let now = clock.now().timeIntervalSince1970
        let last = try ctx.storage.get("at")?.doubleValue ?? now
        let stored = try ctx.storage.get("tokens")?.doubleValue ?? Self.capacity
        let tokens = min(Self.capacity, stored + (now - last) * Self.refillPerSecond)
        guard tokens >= 1 else { return Int(((1 - tokens) / Self.refillPerSecond).rounded(.up)) }
        try ctx.storage.put(["tokens": .double(tokens - 1), "at": .double(now)])
        return nil
    }
}

/// An idempotency lock, as a Durable Object (README, "Durable Objects"): one object per
/// idempotency key. The first request claims it; a repeat while it runs is told to wait, a repeat
/// after it finished gets the stored answer, and a repeat with another body is a conflict. A claim
/// whose holder crashed expires after its lease.
package actor IdempotencyLock: DurableObject {
    /// What ``claim(fingerprint:lease:)`` decided.
    package enum Claim: Sendable, Equatable {
        /// This request holds the key: run the operation, then ``complete(_:)``.
        case acquired
        /// Another request with the same body holds it and has not finished.
        case inProgress
        /// The operation ran before: its answer.
        case completed(JSONValue)
        /// The key was used for another request body.
        case conflict
    }

    private let ctx: DurableObjectState
    private let clock: any WallClock

    package init(ctx: DurableObjectState, env: Env) {
        self.ctx = ctx
        self.clock = env.clock
    }

    /// Claims the key for a request whose body hashes to `fingerprint`, for `lease` seconds.
    package func claim(fingerprint: String, lease: Double) throws -> Claim {
        let now = clock.now().timeIntervalSince1970
        if let record = try ctx.storage.get("record") {
            guard record["fingerprint"]?.stringValue == fingerprint else { return .conflict }
            if let response = record["response"] { return .completed(response) }
            if let until = record["until"]?.doubleValue, until > now { return .inProgress }
        }
        try ctx.storage.put("record", ["fingerprint": .string(fingerprint), "until": .double(now + lease)])
        return .acquired
    }

    /// Stores the operation's answer; repeats get it from now on. The record is deleted a day later.
    package func complete(_ response: JSONValue) throws {
        guard var record = try ctx.storage.get("record")?.objectValue else { return }
        record["response"] = response
        try ctx.storage.put("record", .object(record))
        try ctx.storage.setAlarm(clock.now().addingTimeInterval(86_400))
    }

    /// The day is over: the key may be used again.
    package func alarm(_ info: AlarmInvocationInfo) throws {
        try ctx.storage.deleteAll()
    }
}
