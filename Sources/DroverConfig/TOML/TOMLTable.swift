/// A TOML table: keys in document order, each with its value and the position of the key.
public struct TOMLTable: Sendable, Equatable {
    /// The keys, in the order they were first defined.
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    private var keyPositions: [String: TOMLPosition] = [:]

    /// Creates an empty table.
    public init() {}

    /// The number of keys.
    public var count: Int { keys.count }
    /// Whether the table has no keys.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value for `key`, or nil.
    public subscript(key: String) -> TOMLValue? { values[key] }

    /// Where `key` was written (for a table from a `[header]`, the header), or nil if absent.
    public func position(ofKey key: String) -> TOMLPosition? { keyPositions[key] }

    /// Adds or replaces a value. A new key goes at the end of ``keys``.
    /// - Parameters:
    ///   - value: the value.
    ///   - key: the key.
    ///   - keyPosition: where the key was written; defaults to the value's position.
    public mutating func set(_ value: TOMLValue, forKey key: String, keyPosition: TOMLPosition? = nil) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
        keyPositions[key] = keyPosition ?? value.position
    }

    /// Key/value pairs in document order.
    public var entries: [(key: String, value: TOMLValue)] { keys.map { ($0, values[$0]!) } }

    /// Tables compare by key set and values; key order does not matter (TOML 1.0.0 §Table: tables are unordered).
    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool { lhs.values == rhs.values }
}
