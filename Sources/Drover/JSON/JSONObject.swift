import Foundation

/// A JSON object: string keys in insertion order, as JavaScript keeps them.
///
/// The members are kept in one array in order. An object of up to ``indexThreshold`` members —
/// nearly every object a worker reads: a JWT's claims, a webhook's line item — is searched by
/// comparing keys, which costs less than hashing them; a larger one also keeps a dictionary from
/// key to position, built when it grows past the threshold. Keys are told apart by their UTF-8
/// bytes, as JavaScript tells them apart by their code units: `"é"` and `"e\u{301}"` are two keys.
public struct JSONObject: Sendable {
    /// The members in insertion order.
    private var entries: [(key: String, value: JSONValue)] = []
    /// Positions by key, once the object has more than ``indexThreshold`` members.
    private var index: [ExactKey: Int]?

    /// The most members searched without a dictionary.
    static let indexThreshold = 12

    /// An empty object.
    public init() {}

    /// An object of `pairs`, in order; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, JSONValue)]) {
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// The keys, in insertion order.
    public var keys: [String] { entries.map(\.key) }

    /// The number of members.
    public var count: Int { entries.count }

    /// Whether there are no members.
    public var isEmpty: Bool { entries.isEmpty }

    /// The member named `key`. Setting `nil` removes it; setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let newValue {
                if let position = position(of: key) {
                    entries[position].value = newValue
                } else {
                    appendNew(key, newValue)
                }
            } else if let position = position(of: key) {
                entries.remove(at: position)
                if index != nil { rebuildIndex() }
            }
        }
    }

    /// The members in order.
    public var pairs: [(key: String, value: JSONValue)] { entries }

    /// Appends a member whose key the caller knows is not there yet (a parser that tracks the keys
    /// it has seen); ``subscript(_:)`` otherwise. The key and value are taken, not copied: a
    /// parser hands over what it just made, with no retain and release of each.
    mutating func appendNew(_ key: consuming String, _ value: consuming JSONValue) {
        if index != nil {
            index![ExactKey(copy key)] = entries.count
            entries.append((consume key, consume value))
        } else {
            entries.append((consume key, consume value))
            if entries.count > Self.indexThreshold { rebuildIndex() }
        }
    }

    private mutating func rebuildIndex() {
        index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { (ExactKey($1.key), $0) })
    }

    /// Reserves room for `count` members, for a parser that knows what comes.
    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
    }

    private func position(of key: String) -> Int? {
        if let index { return index[ExactKey(key)] }
        return entries.firstIndex { ExactKey.same($0.key, key) }
    }
}

/// A key compared by its UTF-8 bytes, as JavaScript compares keys by their code units — not by
/// `String`'s canonical equivalence, under which `"é"` and `"e\u{301}"` are one key: in JSON they
/// are two, and an object holding both must still find each and equal itself.
private struct ExactKey: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    /// Byte-equal strings are `==`, so `==` failing (the usual case, and fast) settles it.
    static func same(_ a: String, _ b: String) -> Bool {
        a == b && a.utf8.elementsEqual(b.utf8)
    }

    static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { same(lhs.text, rhs.text) }

    func hash(into hasher: inout Hasher) {
        hasher.combine(text.utf8.count)
        for byte in text.utf8 { hasher.combine(byte) }
    }
}

extension JSONObject: Hashable {
    /// Equal when they have the same members, in any order (as two dictionaries).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.entries.allSatisfy { rhs[$0.key] == $0.value }
    }

    /// Independent of the members' order, as ``==`` is.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (key, value) in entries {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            combined ^= member.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        entries.makeIterator()
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
