import Drover
import DroverKV
import Foundation
import Testing

@Suite("KV: values as Swift values")
struct KVSwiftValuesTests {
    struct Profile: Codable, Equatable {
        var name: String
        var url: String
        var tags: [String]
    }

    static func debugDescription(_ error: any Error) -> String? {
        switch error as? DecodingError {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            context.debugDescription
        default: nil
        }
    }

    @Test("get(_:as:) converts text: Int, Double, Bool, String; nil when absent")
    func text() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        #expect(try await kv.get("visits", as: Int.self) == nil)
        try await kv.put("visits", "42")
        try await kv.put("ratio", "0.5")
        try await kv.put("on", "true")
        #expect(try await kv.get("visits", as: Int.self) == 42)
        #expect(try await kv.get("visits", as: Int64.self) == 42)
        #expect(try await kv.get("ratio", as: Double.self) == 0.5)
        #expect(try await kv.get("on", as: Bool.self) == true)
        #expect(try await kv.get("visits", as: String.self) == "42")
        // Text wins for a type that is also Decodable: a JSON string is not an Int.
        try await kv.put("quoted", json: "42")
        #expect(try await kv.get("quoted", as: String.self) == "\"42\"")
        await #expect {
            _ = try await kv.get("quoted", as: Int.self)
        } throws: { error in
            Self.debugDescription(error) == #"KV value of "quoted" is not an Int: "\"42\"""#
        }
    }

    @Test("a value that does not convert throws a DecodingError naming the key")
    func notConvertible() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("visits", "abc")
        await #expect {
            _ = try await kv.get("visits", as: Int.self)
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription == #"KV value of "visits" is not an Int: "abc""# && context.codingPath.map(\.stringValue) == ["visits"]
        }
    }

    @Test("put(_:json:) of an Encodable and get(_:as:) of a Decodable go through JSONEncoder and JSONDecoder")
    func codable() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let profile = Profile(name: "ada", url: "https://example.test/ada", tags: ["a"])
        try await kv.put("profile", json: profile, options: KVPutOptions(metadata: ["v": 1]))
        #expect(try await kv.get("profile") == #"{"name":"ada","tags":["a"],"url":"https://example.test/ada"}"#)
        #expect(try await kv.get("profile", as: Profile.self) == profile)
        #expect(try await kv.getWithMetadata("profile")?.metadata == ["v": 1])
        #expect(try await kv.get("absent", as: Profile.self) == nil)
        try await kv.put("list", json: [3, 1, 2])
        #expect(try await kv.get("list", as: [Int].self) == [3, 1, 2])
        let scores = ["b": 2, "a": 1]
        try await kv.put("scores", json: scores)
        #expect(try await kv.get("scores") == #"{"a":1,"b":2}"#)
        #expect(try await kv.get("scores", as: [String: Int].self) == scores)
    }

    @Test("a literal keeps its key order: put(_:json:) of a literal is the JSONValue one")
    func literalOrder() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let count = 2
        try await kv.put("homogeneous", json: ["b": 1, "a": 2])
        try await kv.put("mixed", json: ["z": "last", "count": count, "none": nil])
        #expect(try await kv.get("homogeneous") == #"{"b":1,"a":2}"#)
        #expect(try await kv.get("mixed") == #"{"z":"last","count":2,"none":null}"#)
    }

    @Test("a stored value that is not JSON, or not the type, throws naming the key and the path")
    func decodingErrors() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("plain", "hello")
        await #expect {
            _ = try await kv.get("plain", as: Profile.self)
        } throws: { error in
            Self.debugDescription(error)?.hasPrefix(#"KV value of "plain": not JSON: 1:1: "#) == true
        }
        try await kv.put("wrong", #"{"name":"ada","url":"u","tags":[1]}"#)
        await #expect {
            _ = try await kv.get("wrong", as: Profile.self)
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.debugDescription.hasPrefix(#"KV value of "wrong": tags[0]: "#)
                && context.codingPath.map(\.stringValue) == ["wrong", "tags", "Index 0"]
        }
    }
}
