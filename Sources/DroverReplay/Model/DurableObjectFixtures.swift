import Drover

/// One object of `given.durableObjects`: its key-value entries, SQL and alarm before the first
/// step (Docs/fixtures.md).
package struct DurableObjectSeed: Sendable {
    /// A name (`idFromName`), or the 64 hex digits of an id of the namespace.
    package var object: String
    /// Entries put through the storage's key-value API.
    package var storage: JSONObject?
    /// SQL texts run in order through `ctx.storage.sql.exec`.
    package var sql: [String]
    /// The alarm, in milliseconds since 1970.
    package var alarm: Int64?
    /// `given.durableObjects.COUNTER.alice`.
    package var path: JSONPath

    /// The keys one object may have.
    package static let keys = ["storage", "sql", "alarm"]
}

/// One object of `expect.durableObjects`: what its storage holds after the last step.
package struct DurableObjectExpectation: Sendable {
    /// The namespace binding.
    package var binding: String
    /// A name, or the 64 hex digits of an id.
    package var object: String
    /// The key-value entries, exactly (`nil`: not checked).
    package var storage: JSONObject?
    /// The alarm: a number of milliseconds or `null` for none (`nil`: not checked).
    package var alarm: JSONValue?
    /// Queries of the object's SQL and their exact rows (`db` unused).
    package var sql: [D1QueryExpectation]
    /// `expect.durableObjects.COUNTER.alice`.
    package var path: JSONPath

    /// The keys one object may have.
    package static let keys = ["storage", "alarm", "sql"]
}
