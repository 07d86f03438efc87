/// A Swift value that is JSON: strings, numbers, booleans, optionals (`nil` is `null`), arrays
/// and string-keyed dictionaries of such values, and ``JSONValue`` itself.
///
/// JSON literals take these values directly, so a handler writes
/// `.json(["hello": name, "visits": visits, "ok": true])` rather than building ``JSONValue`` cases.
/// A literal keeps its keys in source order, as a JavaScript object literal does; a Swift
/// `Dictionary` has no order, so its members are written with their keys sorted.
///
/// Conform a type of your own by returning its JSON; for `Codable` types ``JSONValue/init(encoding:)``
/// and `Response.json(encoding:)` go through `JSONEncoder` instead.
public protocol JSONValueConvertible {
    /// The value as JSON.
    var jsonValue: JSONValue { get }
}

extension JSONValue: JSONValueConvertible {
    /// The value itself.
    public var jsonValue: JSONValue { self }
}

extension JSONValue {
    /// The JSON of a Swift value (`JSONValue(["a": 1])`, `JSONValue(user.tags)`).
    public init(_ value: some JSONValueConvertible) {
        self = value.jsonValue
    }
}

extension JSONObject: JSONValueConvertible {
    /// The object as a JSON value.
    public var jsonValue: JSONValue { .object(self) }
}

extension String: JSONValueConvertible {
    /// A JSON string.
    public var jsonValue: JSONValue { .string(self) }
}

extension Substring: JSONValueConvertible {
    /// A JSON string.
    public var jsonValue: JSONValue { .string(String(self)) }
}

extension Bool: JSONValueConvertible {
    /// `true` or `false`.
    public var jsonValue: JSONValue { .bool(self) }
}

extension Double: JSONValueConvertible {
    /// A JSON number; NaN and the infinities are written `null`, as `JSON.stringify` writes them.
    public var jsonValue: JSONValue { .double(self) }
}

extension Float: JSONValueConvertible {
    /// A JSON number with the float's shortest decimal digits (`0.1` stays `0.1`, not
    /// `0.10000000149011612`).
    public var jsonValue: JSONValue { .double(Double(description) ?? Double(self)) }
}

extension Int: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(Int64(self)) }
}

extension Int8: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(Int64(self)) }
}

extension Int16: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(Int64(self)) }
}

extension Int32: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(Int64(self)) }
}

extension Int64: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(self) }
}

extension UInt: JSONValueConvertible {
    /// A JSON integer; above `Int64.max`, the nearest double (what a JavaScript number holds).
    public var jsonValue: JSONValue { Int64(exactly: self).map(JSONValue.integer) ?? .double(Double(self)) }
}

extension UInt8: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(Int64(self)) }
}

extension UInt16: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(Int64(self)) }
}

extension UInt32: JSONValueConvertible {
    /// A JSON integer.
    public var jsonValue: JSONValue { .integer(Int64(self)) }
}

extension UInt64: JSONValueConvertible {
    /// A JSON integer; above `Int64.max`, the nearest double (what a JavaScript number holds).
    public var jsonValue: JSONValue { Int64(exactly: self).map(JSONValue.integer) ?? .double(Double(self)) }
}

extension Optional: JSONValueConvertible where Wrapped: JSONValueConvertible {
    /// The wrapped value's JSON, or `null`.
    public var jsonValue: JSONValue { self?.jsonValue ?? .null }
}

extension Array: JSONValueConvertible where Element: JSONValueConvertible {
    /// A JSON array of the elements, in order.
    public var jsonValue: JSONValue { .array(map(\.jsonValue)) }
}

extension Dictionary: JSONValueConvertible where Key == String, Value: JSONValueConvertible {
    /// A JSON object of the members, keys sorted (a `Dictionary` has no order to keep; sorting makes
    /// the output the same from one run to the next).
    public var jsonValue: JSONValue {
        var object = JSONObject()
        for key in keys.sorted() { object[key] = self[key]!.jsonValue }
        return .object(object)
    }
}

// A member of a JSON literal has the type `(any JSONValueConvertible)?`, so that it takes plain
// Swift values and `nil`. The extensions below make that type a JSON literal of its own, so nested
// literals keep the meaning they had when members were `JSONValue`s: `["checks": [:]]`,
// `["tags": [], "user": ["id": id, "name": name, "email": nil]]` and `[1, [2, "three"]]` need no
// type annotation. Without them Swift would give a nested literal its default type (`Dictionary`,
// `Array`), which an empty, heterogeneous or `nil`-holding literal cannot have.

extension Optional: @retroactive ExpressibleByDictionaryLiteral where Wrapped == any JSONValueConvertible {
    /// A nested JSON object literal, in source order.
    public init(dictionaryLiteral elements: (String, (any JSONValueConvertible)?)...) {
        self = JSONValue.object(JSONObject(literal: elements))
    }
}

extension Optional: @retroactive ExpressibleByArrayLiteral where Wrapped == any JSONValueConvertible {
    /// A nested JSON array literal.
    public init(arrayLiteral elements: (any JSONValueConvertible)?...) {
        self = JSONValue.array(elements.map { $0?.jsonValue ?? .null })
    }
}

/// The ``JSONValue`` cases where a literal expects a member: `["id": .string(id), "n": .null]` keeps
/// compiling now that members are `(any JSONValueConvertible)?` rather than `JSONValue`.
extension Optional where Wrapped == any JSONValueConvertible {
    /// JSON `null`.
    public static var null: Self { JSONValue.null }
    /// A JSON boolean.
    public static func bool(_ value: Bool) -> Self { JSONValue.bool(value) }
    /// A JSON integer.
    public static func integer(_ value: Int64) -> Self { JSONValue.integer(value) }
    /// A JSON number that is not an integer.
    public static func double(_ value: Double) -> Self { JSONValue.double(value) }
    /// A JSON string.
    public static func string(_ value: String) -> Self { JSONValue.string(value) }
    /// A JSON array.
    public static func array(_ elements: [JSONValue]) -> Self { JSONValue.array(elements) }
    /// A JSON object.
    public static func object(_ object: JSONObject) -> Self { JSONValue.object(object) }
}
