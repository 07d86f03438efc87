import DroverTestSupport
import Testing

@testable import Drover

@Suite("JSONParser")
struct JSONParserTests {
    /// RFC 8259 texts that must parse, with the value they mean.
    static let accepted: [(String, JSONValue)] = [
        ("null", .null),
        ("true", true),
        ("false", false),
        ("0", .integer(0)),
        ("-0", .integer(0)),
        ("42", .integer(42)),
        ("-17", .integer(-17)),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)),
        ("1E+2", .double(100)),
        ("2.5e-3", .double(0.0025)),
        ("\"\"", ""),
        ("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d"),
        ("\"\\b\\f\\n\\r\\t\"", "\u{8}\u{C}\n\r\t"),
        ("\"\\u0041\\u00e9\"", "Aé"),
        ("\"h\u{e9}llo \u{1F600}\"", "héllo 😀"),
        ("[]", []),
        ("[1,[2,[3]]]", [1, [2, [3]]]),
        ("{}", [:]),
        ("{\"a\":1,\"b\":[true,null]}", ["a": 1, "b": [true, nil]]),
        (" \t\r\n[ 1 , 2 ]\n ", [1, 2]),
        ("\u{FEFF}{\"bom\":true}", ["bom": true]),
        ("{\"a\":1,\"a\":2}", ["a": 2]),
    ]

    @Test("accepts valid JSON", arguments: accepted)
    func accepts(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
    }

    /// Texts RFC 8259 rejects.
    static let rejected: [String] = [
        "", " ", "nul", "tru", "True", "NULL", "undefined", "NaN", "Infinity", "-Infinity",
        "01", "-01", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-", "0x10", "1 2",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"tab\there\"", "\"line\nbreak\"",
        "'single'", "[", "]", "[1,]", "[,1]", "[1 2]", "{", "}", "{,}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
        "{a:1}", "{1:1}", "{\"a\" 1}", "[1]]", "{}}", "[1]x", "\u{0}", "//comment\n1", "[1,/*c*/2]",
    ]

    @Test("rejects invalid JSON", arguments: rejected)
    func rejects(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("rejects invalid UTF-8 inside strings")
    func invalidUTF8() {
        let bytes: [UInt8] = [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        let overlong: [UInt8] = [UInt8(ascii: "\""), 0xC0, 0xAF, UInt8(ascii: "\"")]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(overlong) }
    }

    @Test("integers stay integers; fractions and exponents are doubles")
    func integersAndDoubles() throws {
        guard case .integer(let small) = try JSONParser.parse("123") else {
            Issue.record("not an integer")
            return
        }
        #expect(small == 123)
        guard case .double = try JSONParser.parse("1.0") else {
            Issue.record("1.0 is not a double")
            return
        }
        guard case .double = try JSONParser.parse("1e2") else {
            Issue.record("1e2 is not a double")
            return
        }
    }

    @Test("64-bit limits: in range stays exact, out of range becomes a double")
    func sixtyFourBitLimits() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .integer(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .integer(.min))
        let tooLarge = try JSONParser.parse("9223372036854775808")
        guard case .double(let value) = tooLarge else {
            Issue.record("expected a double")
            return
        }
        #expect(value == 9_223_372_036_854_775_808.0)
        guard case .double(let tooSmall) = try JSONParser.parse("-9223372036854775809") else {
            Issue.record("expected a double")
            return
        }
        #expect(tooSmall == -9_223_372_036_854_775_808.0)
        // A D1 row id beyond 2^53 survives exactly.
        #expect(try JSONParser.parse("9007199254740993").integerValue == 9_007_199_254_740_993)
        // Overflowing doubles are infinite, as in JavaScript, and serialize as null.
        #expect(try JSONParser.parse("1e400").doubleValue == .infinity)
    }

    @Test("surrogate pairs decode to one scalar; lone surrogates become U+FFFD")
    func surrogates() throws {
        #expect(try JSONParser.parse("\"\\ud83d\\ude00\"") == "😀")
        #expect(try JSONParser.parse("\"\\uD834\\uDD1E\"") == "𝄞")
        #expect(try JSONParser.parse("\"\\ud83d\"") == "\u{FFFD}")
        #expect(try JSONParser.parse("\"\\ude00\"") == "\u{FFFD}")
        #expect(try JSONParser.parse("\"\\ud83dx\"") == "\u{FFFD}x")
        // A high surrogate followed by a non-low escape: both are kept, the first replaced.
        #expect(try JSONParser.parse("\"\\ud83d\\u0041\"") == "\u{FFFD}A")
        #expect(try JSONParser.parse("\"\\ud83d\\ud83d\\ude00\"") == "\u{FFFD}😀")
    }

    @Test("nesting beyond the limit is an error, not a crash")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let deepObjects = String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deepObjects) }
        let unterminated = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(unterminated) }
        let atLimit = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try JSONParser.parse(atLimit)
    }

    @Test("errors name the line and column")
    func errorPosition() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
            #expect(error.description.hasPrefix("2:8: "))
        }
    }

    @Test("object keys keep their order")
    func keyOrder() throws {
        let value = try JSONParser.parse("{\"z\":1,\"a\":2,\"m\":3}")
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(JSONSerializer.string(value) == "{\"z\":1,\"a\":2,\"m\":3}")
    }

    @Test("a repeated key keeps its first position and last value, escaped or not, in small and large objects")
    func repeatedKeys() throws {
        let small = try JSONParser.parse(#"{"a":1,"b":2,"\u0061":3}"#)
        #expect(small.objectValue?.keys == ["a", "b"])
        #expect(small["a"] == 3)
        // Keys whose length and end bytes collide with an earlier key's ("ab" and "aab" do not, "ab"
        // and "cb" may): every one kept.
        let alike = try JSONParser.parse(#"{"ab":1,"cb":2,"ab2":3,"db":4,"ab":5}"#)
        #expect(alike.objectValue?.keys == ["ab", "cb", "ab2", "db"])
        #expect(alike["ab"] == 5)
        var members = (0..<40).map { "\"k\($0)\":\($0)" }
        members.append(#""k7":"again""#)
        members.append(#""\u006b39":"escaped""#)
        let large = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        let object = try #require(large.objectValue)
        #expect(object.count == 40)
        #expect(object.keys == (0..<40).map { "k\($0)" })
        #expect(object["k7"] == "again")
        #expect(object["k39"] == "escaped")
        #expect(object["k0"] == 0)
        #expect(object["missing"] == nil)
    }

    @Test("canonically equivalent keys in different bytes are two keys, as in JavaScript, and never crash a large object")
    func equivalentKeys() throws {
        // "é" precomposed and decomposed: one key for Swift's ==, two for JavaScript and here.
        // Both come before the object grows past the members it searches without an index, so the
        // index is built over both.
        let members = ["\"\u{E9}\":1", "\"e\u{301}\":2"] + (0..<20).map { "\"k\($0)\":\($0)" }
        let value = try JSONParser.parse("{" + members.joined(separator: ",") + "}")
        let object = try #require(value.objectValue)
        #expect(object.count == 22)
        #expect(object["\u{E9}"] == 1)
        #expect(object["e\u{301}"] == 2)
        #expect(value == value)
        #expect(try JSONParser.parse("{\"\u{E9}\":1,\"e\u{301}\":2}").objectValue?.count == 2)
        var copy = object
        copy["e\u{301}"] = nil
        copy["k0"] = nil
        #expect(copy["k1"] == 1)
        #expect(copy["\u{E9}"] == 1)
        #expect(copy["e\u{301}"] == nil)
        #expect(copy.count == 20)
        #expect(try JSONParser.parse(JSONSerializer.string(value)) == value)
    }

    @Test("a large object finds, replaces and removes members by key, and equals its reordering")
    func largeObject() throws {
        var object = JSONObject()
        for index in 0..<30 { object["key\(index)"] = .integer(Int64(index)) }
        object["key3"] = "three"
        object["key10"] = nil
        object["key29"] = nil
        #expect(object.count == 28)
        #expect(object["key3"] == "three")
        #expect(object["key10"] == nil)
        #expect(object["key11"] == 11)
        #expect(object.keys.first == "key0")
        #expect(object.keys.last == "key28")
        object["key10"] = "back"
        #expect(object.keys.last == "key10")
        var reordered = JSONObject()
        for key in object.keys.reversed() { reordered[key] = object[key] }
        #expect(reordered == object)
        #expect(reordered.hashValue == object.hashValue)
        reordered["key0"] = 1
        #expect(reordered != object)
    }

    @Test("random bytes never crash the parser", arguments: [UInt64(1), 2, 3])
    func randomBytes(seed: UInt64) throws {
        var generator = SplitMix64(seed: seed)
        let alphabet = Array("{}[]\",:.-+eE0123456789 \\ntrufalsn\u{1}".utf8) + [0xC3, 0xA9, 0xFF, 0xED, 0xA0, 0x80]
        for _ in 0..<1500 {
            let count = Int(generator.next() % 48)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                // Half the time from JSON's own alphabet, so inputs get deep into the grammar.
                if generator.next() % 2 == 0 {
                    bytes.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
                } else {
                    bytes.append(UInt8(truncatingIfNeeded: generator.next()))
                }
            }
            if let value = try? JSONParser.parse(bytes) {
                // Whatever parses must round-trip (non-finite numbers become null, as in JavaScript).
                let again = try JSONParser.parse(JSONSerializer.bytes(value))
                #expect(again == value || value.containsNaN)
            }
        }
    }
}

extension JSONValue {
    /// Whether a NaN or an infinity hides inside (they serialize as null, so they cannot round-trip).
    var containsNaN: Bool {
        switch self {
        case .double(let value): !value.isFinite
        case .array(let elements): elements.contains { $0.containsNaN }
        case .object(let object): object.pairs.contains { $0.value.containsNaN }
        default: false
        }
    }
}
