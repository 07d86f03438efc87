/// The id of one Durable Object: 64 lowercase hex digits, unique within its namespace
/// (`env.COUNTER.idFromName("alice")`, `idFromString`, `newUniqueId`).
///
/// Two ids are equal when their hex is (``equals(_:)``, `==`); ``name`` is what `idFromName` or
/// `getByName` was given, and `nil` for an id from `idFromString` or `newUniqueId`, as on the
/// platform.
public struct DurableObjectId: Sendable, Hashable, CustomStringConvertible {
    /// The 64 lowercase hex digits: `toString()` on the platform.
    public let hex: String
    /// The name it was derived from, when it came from `idFromName` or `getByName`.
    public let name: String?

    /// An id with `hex` (already checked by the namespace that made it).
    package init(hex: String, name: String? = nil) {
        self.hex = hex
        self.name = name
    }

    /// The 64 hex digits, as the platform's `id.toString()`.
    public func toString() -> String { hex }

    /// The 64 hex digits.
    public var description: String { hex }

    /// Whether `other` names the same object (the platform's `id.equals(other)`).
    public func equals(_ other: DurableObjectId) -> Bool { hex == other.hex }

    public static func == (lhs: DurableObjectId, rhs: DurableObjectId) -> Bool { lhs.hex == rhs.hex }

    public func hash(into hasher: inout Hasher) { hasher.combine(hex) }
}
