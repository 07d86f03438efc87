/// A TOML table: keys in document order, each with its value and the position of the key.
package struct TOMLTable: Sendable, Equatable {
    struct Entry: Sendable {
        let key: String
        var value: TOMLValue
        var keyPosition: TOMLPosition
    }

    private var entryList: [Entry] = []
    private var index: [String: Int] = [:]

    /// Creates an empty table.
    package init() {}

    /// Adopts entries and their index as built by the parser (no rehashing).
    init(entries: [Entry], index: [String: Int]) {
        self.entryList = entries
        self.index = index
    }

    /// The keys, in the order they were first defined.
    package var keys: [String] { entryList.map(\.key) }
    /// The number of keys.
    package var count: Int { entryList.count }
    /// Whether the table has no keys.
    package var isEmpty: Bool { entryList.isEmpty }

    /// The value for `key`, or nil.
    package subscript(key: String) -> TOMLValue? {
        guard let i = index[key] else { return nil }
        return entryList[i].value
    }

    /// Where `key` was written (for a table from a `[header]`, the header), or nil if absent.
    package func position(ofKey key: String) -> TOMLPosition? {
        guard let i = index[key] else { return nil }
        return entryList[i].keyPosition
    }

    /// Adds or replaces a value. A new key goes at the end of ``keys``.
    /// - Parameters:
    ///   - value: the value.
    ///   - key: the key.
    ///   - keyPosition: where the key was written; defaults to the value's position.
    package mutating func set(_ value: TOMLValue, forKey key: String, keyPosition: TOMLPosition? = nil) {
        let entry = Entry(key: key, value: value, keyPosition: keyPosition ?? value.position)
        if let i = index[key] {
            entryList[i] = entry
        } else {
            index[key] = entryList.count
            entryList.append(entry)
        }
    }

    /// Key/value pairs in document order.
    package var entries: [(key: String, value: TOMLValue)] { entryList.map { ($0.key, $0.value) } }

    /// Tables compare by key set and values; key order does not matter (TOML 1.0.0 §Table: tables are unordered).
    package static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool {
        lhs.count == rhs.count && lhs.entryList.allSatisfy { rhs[$0.key] == $0.value }
    }
}
