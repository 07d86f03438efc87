import Foundation

/// A Durable Object's own storage (`ctx.storage`): a key-value API, a SQLite database
/// (``sql``) and one alarm, all in one SQLite file per object.
///
/// Every call is synchronous and takes effect before it returns, so a read followed by a write
/// with no `await` between them is atomic (the platform's input and output gates give its
/// asynchronous API the same guarantee). Values are JSON (``JSONValue``); Codable values go
/// through ``get(_:as:)`` and ``put(_:encoding:)``.
///
/// The errors are ``DurableObjectError``s with the platform's messages.
public protocol DurableObjectStorage: Sendable {
    /// The value stored under `key`, or `nil`.
    func get(_ key: String) throws -> JSONValue?

    /// The values stored under `keys`, in key order; keys with no value are left out.
    func get(_ keys: [String]) throws -> JSONObject

    /// Stores `value` under `key`.
    func put(_ key: String, _ value: JSONValue) throws

    /// Stores every entry of `entries`, all or none.
    func put(_ entries: JSONObject) throws

    /// Deletes `key`; whether it existed.
    @discardableResult func delete(_ key: String) throws -> Bool

    /// Deletes `keys`, all or none; how many existed.
    @discardableResult func delete(_ keys: [String]) throws -> Int

    /// The entries chosen by `options`, in key order (UTF-8 byte order), or reversed.
    func list(_ options: DurableObjectListOptions) throws -> JSONObject

    /// Deletes every key-value entry and every table of ``sql``, all or nothing, and the alarm when
    /// the worker's compatibility date is 2026-02-24 or later (flag `delete_all_deletes_alarm`;
    /// `delete_all_preserves_alarm` keeps it), as on the platform.
    /// - Throws: ``DurableObjectError`` inside a transaction.
    func deleteAll() throws

    /// Runs `body` in a transaction: what it wrote is kept when it returns and undone when it
    /// throws (which this rethrows). Transactions nest.
    func transactionSync<T>(_ body: () throws -> T) throws -> T

    /// The object's SQLite database. (For a class created with `new_classes` rather than
    /// `new_sqlite_classes`, its calls throw, as on the platform.)
    var sql: any SqlStorage { get }

    /// When the alarm is set for, in milliseconds since the Unix epoch; `nil` when none is (and
    /// while `alarm()` runs).
    func getAlarm() throws -> Int64?

    /// Sets the alarm to `scheduledTime` (milliseconds since the Unix epoch), replacing the one
    /// set before; a time in the past is moved to now and fires at once.
    /// - Throws: ``DurableObjectError`` for a time of 0 or less.
    func setAlarm(_ scheduledTime: Int64) throws

    /// Deletes the alarm, if one is set.
    func deleteAlarm() throws
}

extension DurableObjectStorage {
    /// All entries, in key order.
    public func list() throws -> JSONObject {
        try list(DurableObjectListOptions())
    }

    /// Sets the alarm to `date`.
    /// - Throws: ``DurableObjectError`` for a date before 1970 or past what milliseconds can count.
    public func setAlarm(_ date: Date) throws {
        guard let milliseconds = Int64(exactly: (date.timeIntervalSince1970 * 1000).rounded(.down)) else {
            throw DurableObjectError("setAlarm() cannot be called with an alarm time <= 0")
        }
        try setAlarm(milliseconds)
    }

    /// The value under `key` decoded as `type`, or `nil` when there is none.
    public func get<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
        guard let value = try get(key) else { return nil }
        return try value.decode(as: type)
    }

    /// Stores `value`, encoded as JSON, under `key`.
    public func put<T: Encodable>(_ key: String, encoding value: T) throws {
        try put(key, try JSONValue(encoding: value))
    }

    /// Runs `body` with a transaction it can read and write through and ``DurableObjectTransaction/rollback()``;
    /// what it wrote is undone when it throws or rolled back, and kept otherwise (the platform's
    /// `storage.transaction(txn => ...)`).
    /// - Returns: what `body` returned, rolled back or not.
    public func transaction<T>(_ body: (DurableObjectTransaction) throws -> T) throws -> T {
        let transaction = DurableObjectTransaction(storage: self)
        var result: T?
        do {
            try transactionSync {
                result = try body(transaction)
                if transaction.isRolledBack { throw TransactionRolledBack() }
            }
        } catch is TransactionRolledBack {}
        guard let result else { preconditionFailure("transactionSync returned without running its body") }
        return result
    }
}

/// The signal that undoes a transaction its body rolled back.
private struct TransactionRolledBack: Error {}

/// A transaction of ``DurableObjectStorage/transaction(_:)``: the storage's key-value API, and
/// ``rollback()``.
public final class DurableObjectTransaction {
    private let storage: any DurableObjectStorage
    /// Whether ``rollback()`` was called.
    public private(set) var isRolledBack = false

    init(storage: any DurableObjectStorage) {
        self.storage = storage
    }

    /// Undoes what the transaction wrote, when its body returns; the transaction's operations
    /// throw after this (the storage's own calls go on, and are undone too).
    public func rollback() { isRolledBack = true }

    /// See ``DurableObjectStorage/get(_:)-(String)``.
    public func get(_ key: String) throws -> JSONValue? {
        try check("get()")
        return try storage.get(key)
    }
    /// See ``DurableObjectStorage/get(_:)-([String])``.
    public func get(_ keys: [String]) throws -> JSONObject {
        try check("get()")
        return try storage.get(keys)
    }
    /// See ``DurableObjectStorage/put(_:_:)``.
    public func put(_ key: String, _ value: JSONValue) throws {
        try check("put()")
        try storage.put(key, value)
    }
    /// See ``DurableObjectStorage/put(_:)``.
    public func put(_ entries: JSONObject) throws {
        try check("put()")
        try storage.put(entries)
    }
    /// See ``DurableObjectStorage/delete(_:)-(String)``.
    @discardableResult public func delete(_ key: String) throws -> Bool {
        try check("delete()")
        return try storage.delete(key)
    }
    /// See ``DurableObjectStorage/delete(_:)-([String])``.
    @discardableResult public func delete(_ keys: [String]) throws -> Int {
        try check("delete()")
        return try storage.delete(keys)
    }
    /// See ``DurableObjectStorage/list(_:)``.
    public func list(_ options: DurableObjectListOptions = DurableObjectListOptions()) throws -> JSONObject {
        try check("list()")
        return try storage.list(options)
    }

    /// Refuses an operation after ``rollback()``, with the platform's message.
    private func check(_ operation: String) throws {
        if isRolledBack { throw DurableObjectError("Cannot \(operation) on rolled back transaction") }
    }
}

/// Which entries ``DurableObjectStorage/list(_:)`` returns (the platform's `list` options).
public struct DurableObjectListOptions: Sendable, Hashable {
    /// Keys from this one on (inclusive).
    public var start: String?
    /// Keys after this one (exclusive); instead of ``start``.
    public var startAfter: String?
    /// Keys before this one (exclusive).
    public var end: String?
    /// Keys that begin with this.
    public var prefix: String?
    /// Descending key order.
    public var reverse: Bool
    /// At most this many entries.
    public var limit: Int?

    /// Options; all entries by default.
    public init(
        start: String? = nil,
        startAfter: String? = nil,
        end: String? = nil,
        prefix: String? = nil,
        reverse: Bool = false,
        limit: Int? = nil
    ) {
        self.start = start
        self.startAfter = startAfter
        self.end = end
        self.prefix = prefix
        self.reverse = reverse
        self.limit = limit
    }
}
