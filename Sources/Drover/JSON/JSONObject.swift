import Foundation

/// A JSON object: string keys in insertion order, as JavaScript keeps them.
public struct JSONObject: Sendable, Hashable {
    /// The keys, in insertion order.
    public private(set) var keys: [String] = []
    private var storage: [String: JSONValue] = [:]

    /// An empty object.
    public init() {}

    /// An object of `pairs`, in order; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// Whether there are no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The member named `key`. Setting `nil` removes it; setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The members in order.
    public var pairs: [(key: String, value: JSONValue)] {
        keys.map { ($0, storage[$0]!) }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.storage == rhs.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage)
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        pairs.makeIterator()
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// An object of Swift values (``JSONValueConvertible``) in source order; `nil` is `null`.
    public init(dictionaryLiteral elements: (String, (any JSONValueConvertible)?)...) {
        self.init(literal: elements)
    }

    init(literal elements: [(String, (any JSONValueConvertible)?)]) {
        for (key, value) in elements { self[key] = value?.jsonValue ?? .null }
    }
}
