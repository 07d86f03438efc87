import Drover
import Foundation

/// Where the kit keeps the records requests share — a bucket's level, a breaker's state, an
/// idempotency record and its lock — so that none of it lives in a worker's memory.
///
/// Two stores, chosen by configuration, behave the same for one process:
///
/// | | ``KVStateStore`` | ``DurableObjectStateStore`` |
/// |---|---|---|
/// | binding | a KV namespace | a Durable Object namespace of ``KitStateObject`` |
/// | an update | read, decide, write; serialized per key within the process | one step of the key's object |
/// | on the platform | best effort: KV is eventually consistent (a write may take 60 s or more to be seen elsewhere) and takes one write per second per key, so two locations can both take a lock or spend a token | exact: one object per key, everywhere, with strongly consistent storage |
/// | cost | one KV read and write | one call to an object |
///
/// Use KV where an occasional miss is harmless (a soft limit, a breaker's hint) and Durable Objects
/// where it is not (an idempotency lock around a payment, a limit you are billed for).
public protocol KitStateStore: Sendable {
    /// The record stored under `key`; `nil` when there is none or it has expired.
    func read(_ key: String) async throws -> [UInt8]?

    /// Reads the record under `key` (`nil`: none, or expired), passes it with the clock's time to
    /// `change`, and applies what `change` decides — as one step against every other update of
    /// `key`. `change` runs exactly once and must not wait for anything.
    /// - Returns: `change`'s result.
    /// - Throws: what `change` throws (nothing is written then), or the store's errors.
    func update<T: Sendable>(_ key: String, _ change: @escaping @Sendable (_ current: [UInt8]?, _ now: Date) throws -> KitStateChange<T>) async throws
        -> T
}

/// What an update of a ``KitStateStore`` record does to it.
public enum KitStateWrite: Sendable {
    /// Leaves it as it was.
    case keep
    /// Replaces it by `bytes`, kept until `expiresAt` (`nil`: until replaced or deleted). KV's TTL
    /// is at least 60 s, so a KV record may outlive `expiresAt` a little: records carry their own
    /// expiries where it matters.
    case put([UInt8], expiresAt: Date?)
    /// Removes it.
    case delete
}

/// What an update of a ``KitStateStore`` record writes, and what it returns.
public struct KitStateChange<T: Sendable>: Sendable {
    /// What happens to the record.
    public var write: KitStateWrite
    /// What the update returns.
    public var result: T

    /// A change writing `write` and returning `result`.
    public init(_ write: KitStateWrite, _ result: T) {
        self.write = write
        self.result = result
    }
}

/// Kit state in a KV namespace: exact within one Drover process (updates of a key are serialized,
/// and Drover's KV is strongly consistent), best effort on the platform (see ``KitStateStore``).
public struct KVStateStore: KitStateStore {
    /// The namespace the records live in.
    public let kv: any KVNamespace
    /// The clock the records' times are read on.
    public let clock: any WallClock

    /// Records in `kv`, timed by `clock` (`env.clock`).
    public init(kv: any KVNamespace, clock: any WallClock) {
        self.kv = kv
        self.clock = clock
    }

    public func read(_ key: String) async throws -> [UInt8]? {
        try await kv.getBytes(key)
    }

    public func update<T: Sendable>(_ key: String, _ change: @escaping @Sendable ([UInt8]?, Date) throws -> KitStateChange<T>) async throws -> T {
        try await KVKeySerializer.shared.withExclusiveAccess(to: key, in: kv) {
            let now = clock.now()
            let decided = try change(try await kv.getBytes(key), now)
            switch decided.write {
            case .keep:
                break
            case .put(let bytes, let expiresAt):
                let ttl = expiresAt.map { Microseconds.kvTTL(covering: max(0, Microseconds.of($0) - Microseconds.of(now))) }
                try await kv.put(key, value: bytes, options: KVPutOptions(expirationTtl: ttl))
            case .delete:
                try await kv.delete(key)
            }
            return decided.result
        }
    }
}

/// Kit state in Durable Objects: one ``KitStateObject`` per record key (`getByName(key)`), whose
/// storage holds the record and whose alarm deletes it when it expires. Every update is one step
/// of that object, so it is exact on the platform too.
///
/// ```swift
/// // main.swift
/// registry.register(durableObject: "KitState", KitStateObject.self)
/// // wrangler-like.toml: [[durable_objects.bindings]] name = "KIT_STATE", class_name = "KitState"
/// //                     [[migrations]] tag = "v1", new_sqlite_classes = ["KitState"]
/// let store = DurableObjectStateStore(try env.durableObjects("KIT_STATE"))
/// let idempotency = Idempotency(store: store, clock: env.clock)
/// ```
public struct DurableObjectStateStore: KitStateStore {
    /// The namespace of ``KitStateObject``s.
    public let namespace: any DurableObjectNamespace

    /// Records in the objects of `namespace`.
    public init(_ namespace: any DurableObjectNamespace) {
        self.namespace = namespace
    }

    public func read(_ key: String) async throws -> [UInt8]? {
        try await namespace.getByName(key).call(KitStateObject.self) { try $0.read() }
    }

    public func update<T: Sendable>(_ key: String, _ change: @escaping @Sendable ([UInt8]?, Date) throws -> KitStateChange<T>) async throws -> T {
        try await namespace.getByName(key).call(KitStateObject.self) { try $0.update(change) }
    }
}

/// The Durable Object behind ``DurableObjectStateStore``: one record, its expiry, and an alarm at
/// the expiry that deletes it. Register it (`registry.register(durableObject: "KitState",
/// KitStateObject.self)`) and bind its class.
public actor KitStateObject: DurableObject {
    private let ctx: DurableObjectState
    private let clock: any WallClock

    public init(ctx: DurableObjectState, env: Env) {
        self.ctx = ctx
        self.clock = env.clock
    }

    /// The record, unless it has expired.
    public func read() throws -> [UInt8]? {
        try current(at: clock.now())
    }

    /// One update (see ``KitStateStore/update(_:_:)``), with no suspension between the read and
    /// the write.
    public func update<T: Sendable>(_ change: @Sendable ([UInt8]?, Date) throws -> KitStateChange<T>) throws -> T {
        let now = clock.now()
        let decided = try change(try current(at: now), now)
        switch decided.write {
        case .keep:
            break
        case .put(let bytes, let expiresAt):
            // Text as text (the kit's records are JSON: readable in the dashboard), byte for byte;
            // anything else in base64.
            let text = String(validating: bytes, as: UTF8.self)
            let value: JSONValue = text.map { ["text": .string($0)] } ?? ["base64": .string(Base64.encode(bytes))]
            if let expiresAt {
                let expiry = Microseconds.of(expiresAt)
                try ctx.storage.put(["record": value, "expiresAt": .integer(expiry)])
                try ctx.storage.setAlarm(Self.alarmTime(expiry))
            } else {
                try ctx.storage.put("record", value)
                try ctx.storage.delete("expiresAt")
                try ctx.storage.deleteAlarm()
            }
        case .delete:
            try ctx.storage.deleteAll()
            try ctx.storage.deleteAlarm()
        }
        return decided.result
    }

    /// Deletes the record once it has expired.
    public func alarm(_ info: AlarmInvocationInfo) throws {
        let now = clock.now()
        if let expiresAt = try ctx.storage.get("expiresAt")?.integerValue, expiresAt > Microseconds.of(now) {
            try ctx.storage.setAlarm(Self.alarmTime(expiresAt))
            return
        }
        try ctx.storage.deleteAll()
    }

    /// The alarm's time for an expiry in microseconds: the millisecond at or after it, so the alarm
    /// never runs before the record has expired.
    private static func alarmTime(_ expiry: Int64) -> Int64 {
        max(1, expiry / 1_000 + (expiry % 1_000 > 0 ? 1 : 0))
    }

    private func current(at now: Date) throws -> [UInt8]? {
        guard let record = try ctx.storage.get("record") else { return nil }
        // Microseconds since 1970, as the kit's records count time.
        if let expiresAt = try ctx.storage.get("expiresAt")?.integerValue, expiresAt <= Microseconds.of(now) { return nil }
        if let text = record["text"]?.stringValue { return Array(text.utf8) }
        return record["base64"]?.stringValue.flatMap { Base64.decode($0) }
    }
}

extension Env {
    /// The kit's state store in the binding `name`: Durable Objects when it is a Durable Object
    /// namespace (of ``KitStateObject``), otherwise KV — so a config chooses, by what it binds
    /// under that name.
    /// - Throws: the binding's error when there is neither.
    public func kitStateStore(_ name: String) throws -> any KitStateStore {
        if let namespace = try? durableObjects(name) { return DurableObjectStateStore(namespace) }
        return KVStateStore(kv: try kv(name), clock: clock)
    }
}
