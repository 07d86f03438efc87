import Foundation
import Synchronization
import Testing

@testable import Drover

@Suite("JSON literals of plain Swift values")
struct JSONValueConvertibleTests {
    struct Address: Sendable {
        var city: String
    }

    @Test("a literal takes String, Int, Double, Bool, optionals, arrays and dictionaries, in source order")
    func plainValues() {
        let name = "ada"
        let visits = 3
        let ratio = 0.25
        let admin = true
        let nickname: String? = nil
        let email: String? = "ada@example.test"
        let tags = ["a", "b"]
        let scores: [String: Int] = ["z": 26, "a": 1]
        let value: JSONValue = [
            "name": name, "visits": visits, "ratio": ratio, "admin": admin, "nickname": nickname, "email": email,
            "tags": tags, "scores": scores, "none": nil,
        ]
        #expect(
            JSONSerializer.string(value)
                == #"{"name":"ada","visits":3,"ratio":0.25,"admin":true,"nickname":null,"email":"ada@example.test","tags":["a","b"],"scores":{"a":1,"z":26},"none":null}"#
        )
    }

    @Test("nested literals need no annotation: empty, heterogeneous, nil-holding, with variables")
    func nestedShapes() {
        let id = 7
        let name = "ada"
        let city: String? = nil
        let address = Address(city: "Paris")
        let value: JSONValue = [
            "status": "healthy", "checks": [:], "items": [],
            "user": ["id": id, "name": name, "city": city, "home": ["city": address.city], "roles": ["admin", 1, nil]],
            "matrix": [1, [2, [3]], [:]],
            "legacy": ["a": .string(name), "b": .integer(Int64(id)), "c": .null, "d": .array([.bool(true)]), "e": .object(["f": 1])],
        ]
        #expect(
            JSONSerializer.string(value)
                == #"{"status":"healthy","checks":{},"items":[],"user":{"id":7,"name":"ada","city":null,"home":{"city":"Paris"},"roles":["admin",1,null]},"matrix":[1,[2,[3]],{}],"legacy":{"a":"ada","b":7,"c":null,"d":[true],"e":{"f":1}}}"#
        )
    }

    @Test("the JSONValue cases still read and match as before")
    func casesUnchanged() {
        let value: JSONValue = .string("x")
        if case .string(let text) = value { #expect(text == "x") } else { Issue.record("not a string") }
        var object = JSONObject()
        object["a"] = .null
        object["b"] = .integer(2)
        #expect(JSONValue.object(object) == ["a": nil, "b": 2])
        let array: [JSONValue] = [.string("x"), .null]
        #expect(JSONValue(array) == ["x", nil])
    }

    @Test("numbers: every integer type, Float with its short digits, UInt64 beyond Int64 as a double")
    func numbers() {
        let value: JSONValue = [
            Int8(-8), Int16(16), Int32(32), Int64.max, UInt8(8), UInt16(16), UInt32(32), UInt(7), UInt64.max, Float(0.1), 1.5,
        ]
        #expect(
            JSONSerializer.string(value)
                == "[-8,16,32,9223372036854775807,8,16,32,7,18446744073709552000,0.1,1.5]"
        )
        #expect(JSONValue(Substring("abc").dropFirst()) == "bc")
    }

    @Test("a Swift dictionary has its keys sorted, the same in every process")
    func dictionarySorted() {
        let dictionary = ["b": 2, "c": 3, "a": 1]
        #expect(JSONSerializer.string(JSONValue(dictionary)) == #"{"a":1,"b":2,"c":3}"#)
        let nested: [String: [String: Int?]] = ["y": ["q": nil, "p": 1], "x": [:]]
        #expect(JSONSerializer.string(JSONValue(nested)) == #"{"x":{},"y":{"p":1,"q":null}}"#)
    }

    @Test("D1 values, rows and results are JSON as D1 returns them")
    func d1Values() {
        let row = D1Row(columns: ["id", "data"], values: [.integer(1), .blob([1, 2])])
        let value: JSONValue = ["row": row, "value": D1Value.text("t")]
        #expect(JSONSerializer.string(value) == #"{"row":{"id":1,"data":[1,2]},"value":"t"}"#)
    }

    @Test("Response.json takes the README's literal")
    func responseLiteral() async throws {
        let vars = Vars(["GREETING": "drover"])
        let visits = 2
        let response = Response.json(["hello": vars["GREETING"] ?? "world", "visits": visits, "ok": true])
        #expect(try await response.text() == #"{"hello":"drover","visits":2,"ok":true}"#)
        #expect(response.headers["content-type"] == "application/json")
    }

    @Test("Queue.send(json:) and the KV put(json:) of a JSONValue take literals of Swift values")
    func bindingLiterals() async throws {
        let queue = RecordingQueue()
        let visits = 3
        try await queue.send(json: ["visit": visits, "tags": [], "from": nil])
        #expect(queue.sent.withLock { $0.first?.body } == .json(["visit": 3, "tags": [], "from": nil]))
        let metadata = KVPutOptions(metadata: ["owner": "ada", "version": visits])
        #expect(metadata.metadata == ["owner": "ada", "version": 3])
    }

    final class RecordingQueue: Queue {
        let sent = Mutex<[MessageSendRequest]>([])
        func send(_ message: MessageSendRequest) async throws { sent.withLock { $0.append(message) } }
        func sendBatch(_ messages: [MessageSendRequest], delaySeconds: Int?) async throws {
            sent.withLock { $0.append(contentsOf: messages) }
        }
    }
}
