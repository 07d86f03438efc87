import Foundation
import Testing

@testable import Drover

@Suite("JSONSerializer and JSONValue")
struct JSONSerializerTests {
    /// Doubles and what `JSON.stringify` (ECMAScript Number::toString) prints for them.
    static let numbers: [(Double, String)] = [
        (1.0, "1"),
        (-1.0, "-1"),
        (0.0, "0"),
        (-0.0, "0"),
        (1.5, "1.5"),
        (-2.25, "-2.25"),
        (0.1, "0.1"),
        (0.001, "0.001"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (123456.789, "123456.789"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (1.5e20, "150000000000000000000"),
        (1e21, "1e+21"),
        (1.2345e25, "1.2345e+25"),
        (9_223_372_036_854_775_808.0, "9223372036854776000"),
        (1e20 + 65536, "100000000000000070000"),
        (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (.nan, "null"),
        (.infinity, "null"),
        (-.infinity, "null"),
    ]

    @Test("numbers print as JavaScript prints them", arguments: numbers)
    func numberFormatting(value: Double, expected: String) {
        #expect(JSONSerializer.string(.double(value)) == expected)
    }

    @Test("64-bit integers print exactly")
    func integers() {
        #expect(JSONSerializer.string(.integer(.max)) == "9223372036854775807")
        #expect(JSONSerializer.string(.integer(.min)) == "-9223372036854775808")
    }

    @Test("strings escape quotes, backslashes and control characters")
    func stringEscapes() {
        let value: JSONValue = .string("a\"b\\c\n\r\t\u{8}\u{C}\u{1}\u{1F}é😀/")
        #expect(JSONSerializer.string(value) == "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001fé😀/\"")
    }

    @Test("compact and pretty forms")
    func forms() {
        let value: JSONValue = ["b": [1, 2], "a": ["x": nil], "e": [], "o": [:]]
        #expect(JSONSerializer.string(value) == "{\"b\":[1,2],\"a\":{\"x\":null},\"e\":[],\"o\":{}}")
        #expect(
            JSONSerializer.prettyString(value) == """
                {
                  "b": [
                    1,
                    2
                  ],
                  "a": {
                    "x": null
                  },
                  "e": [],
                  "o": {}
                }
                """
        )
        #expect(value.description == JSONSerializer.string(value))
    }

    @Test("serialize then parse gives the same value, keys in the same order")
    func roundTrip() throws {
        let value: JSONValue = [
            "id": .integer(9_007_199_254_740_993), "ratio": 0.1, "tiny": .double(1.5e-7), "big": .double(1e21),
            "name": "héllo \"world\"\n😀", "tags": ["a", "b"], "nested": ["deep": [[1], [2.5], nil, true, false]],
            "empty": [:], "zed": .integer(-1),
        ]
        let text = JSONSerializer.string(value)
        let parsed = try JSONParser.parse(text)
        #expect(parsed == value)
        #expect(parsed.objectValue?.keys == value.objectValue?.keys)
        #expect(JSONSerializer.string(parsed) == text)
        let pretty = try JSONParser.parse(JSONSerializer.prettyString(value, indent: 4))
        #expect(pretty == value)
    }

    @Test("numbers compare by value: 1 == 1.0, exactly beyond 2^53")
    func numberEquality() {
        #expect(JSONValue.integer(1) == .double(1.0))
        #expect(JSONValue.double(1.0) == .integer(1))
        #expect(JSONValue.integer(1) != .double(1.5))
        #expect(JSONValue.integer(0) == .double(-0.0))
        // 2^53 + 1 is not 2^53, although they are the same Double.
        #expect(JSONValue.integer(9_007_199_254_740_993) != .double(9_007_199_254_740_992))
        #expect(JSONValue.integer(9_007_199_254_740_992) == .double(9_007_199_254_740_992))
        #expect(JSONValue.integer(.max) != .double(9_223_372_036_854_775_808.0))
        #expect(JSONValue.integer(1) != .string("1"))
        #expect(JSONValue.bool(true) != .integer(1))
        #expect(JSONValue.null != .bool(false))
    }

    @Test("equal values hash alike")
    func hashing() {
        let set: Set<JSONValue> = [.integer(1), .double(1.0), .double(-0.0), .integer(0), .double(2.5)]
        #expect(set.count == 3)
        #expect(Set<JSONValue>([["a": 1, "b": 2], ["b": 2.0, "a": 1.0]]).count == 1)
    }

    @Test("objects are equal whatever their key order; arrays are not")
    func objectEquality() throws {
        let a = try JSONParser.parse("{\"a\":1,\"b\":[1,2]}")
        let b = try JSONParser.parse("{\"b\":[1,2.0],\"a\":1.0}")
        #expect(a == b)
        #expect(a.objectValue?.keys != b.objectValue?.keys)
        #expect(try JSONParser.parse("[1,2]") != JSONParser.parse("[2,1]"))
        #expect(try JSONParser.parse("{\"a\":1}") != JSONParser.parse("{\"a\":1,\"b\":2}"))
    }

    @Test("JSONObject keeps insertion order; replacing keeps the position, removing drops it")
    func objectOrder() {
        var object = JSONObject()
        object["z"] = 1
        object["a"] = 2
        object["z"] = 3
        #expect(object.keys == ["z", "a"])
        #expect(object["z"] == 3)
        object["z"] = nil
        #expect(object.keys == ["a"])
        #expect(object.count == 1)
        let pairs = JSONObject([("b", 1), ("a", 2), ("b", 3)])
        #expect(pairs.keys == ["b", "a"])
        #expect(pairs["b"] == 3)
    }

    @Test("accessors")
    func accessors() throws {
        let value = try JSONParser.parse("{\"s\":\"x\",\"i\":3,\"d\":2.0,\"f\":2.5,\"b\":true,\"n\":null,\"a\":[1]}")
        #expect(value["s"]?.stringValue == "x")
        #expect(value["i"]?.integerValue == 3)
        #expect(value["d"]?.integerValue == 2)
        #expect(value["f"]?.integerValue == nil)
        #expect(value["f"]?.doubleValue == 2.5)
        #expect(value["b"]?.boolValue == true)
        #expect(value["n"]?.isNull == true)
        #expect(value["a"]?[0] == 1)
        #expect(value["a"]?[1] == nil)
        #expect(value["missing"] == nil)
        #expect(value["i"]?.kindName == "number")
        #expect(value.kindName == "object")
    }

    struct Payload: Codable, Equatable {
        var id: Int
        var name: String
        var tags: [String]
    }

    @Test("Codable bridge")
    func codable() throws {
        let payload = Payload(id: 7, name: "x", tags: ["a"])
        let value = try JSONValue(encoding: payload)
        #expect(value["id"] == 7)
        #expect(try value.decode(as: Payload.self) == payload)
    }
}
