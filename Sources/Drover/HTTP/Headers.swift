/// HTTP header fields with the Fetch standard's semantics: an ordered list of fields, names
/// compared case-insensitively (and reported lower-cased), repeated fields kept, `get` joining
/// repeated values with `", "`, and `Set-Cookie` kept separate (``setCookies``), never joined.
///
/// A list, not a dictionary: order and repetition survive a round trip (swift-http-types'
/// `HTTPFields` makes the same choice).
public struct Headers: Sendable, Hashable {
    /// One field. `name` is stored lower-cased.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = Headers.lowercased(name)
            self.value = value
        }

        /// A field whose name the caller guarantees is already lower-case ASCII (the HTTP parser).
        package init(lowercasedName: String, value: String) {
            self.name = lowercasedName
            self.value = value
        }
    }

    /// The fields in order.
    public private(set) var fields: [Field]

    /// No fields.
    public init() {
        fields = []
    }

    /// The given fields, in order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Fields already built (names lower-cased).
    package init(fields: [Field]) {
        self.fields = fields
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// The combined value of every field named `name`, joined with `", "`, or `nil` when there is
    /// none (Fetch `Headers.get`). For `set-cookie` use ``setCookies``.
    public subscript(name: String) -> String? {
        get { value(for: name) }
        set {
            if let newValue { set(name, newValue) } else { remove(name) }
        }
    }

    /// The combined value of every field named `name` (Fetch `Headers.get`).
    public func value(for name: String) -> String? {
        let key = Self.lowercased(name)
        var result: String?
        for field in fields where field.name == key {
            if let existing = result { result = existing + ", " + field.value } else { result = field.value }
        }
        return result
    }

    /// Every value of the fields named `name`, one per field.
    public func values(for name: String) -> [String] {
        let key = Self.lowercased(name)
        return fields.filter { $0.name == key }.map(\.value)
    }

    /// The `Set-Cookie` values, one per field (Fetch `Headers.getSetCookie`).
    public var setCookies: [String] {
        values(for: "set-cookie")
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        let key = Self.lowercased(name)
        return fields.contains { $0.name == key }
    }

    /// Adds a field, keeping existing ones of that name (Fetch `Headers.append`).
    public mutating func append(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` by one with `value` (Fetch `Headers.set`).
    public mutating func set(_ name: String, _ value: String) {
        let key = Self.lowercased(name)
        if let first = fields.firstIndex(where: { $0.name == key }) {
            fields[first].value = value
            var index = fields.count - 1
            while index > first {
                if fields[index].name == key { fields.remove(at: index) }
                index -= 1
            }
        } else {
            fields.append(Field(lowercasedName: key, value: value))
        }
    }

    /// Removes every field named `name` (Fetch `Headers.delete`).
    public mutating func remove(_ name: String) {
        let key = Self.lowercased(name)
        fields.removeAll { $0.name == key }
    }

    /// ASCII lower-casing, as HTTP field names are ASCII tokens.
    static func lowercased(_ name: String) -> String {
        var needsWork = false
        for byte in name.utf8 where byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
            needsWork = true
            break
        }
        guard needsWork else { return name }
        return String(decoding: name.utf8.map { ($0 >= 65 && $0 <= 90) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}

extension Headers: Sequence {
    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }
}

extension Headers: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}
