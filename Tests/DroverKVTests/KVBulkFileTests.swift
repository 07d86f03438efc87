import Drover
import DroverKV
import Foundation
import Testing

@Suite("wrangler bulk files and output")
struct KVBulkFileTests {
    @Test("bulk put file: text, base64, expiration, TTL, metadata")
    func parsePut() throws {
        let file = """
            [{"key": "a", "value": "text"},
             {"key": "b", "value": "AP8K", "base64": true, "expiration_ttl": 120, "metadata": {"m": 1}},
             {"key": "c", "value": "x", "expiration": 1767229200}]
            """
        let entries = try KVBulkFile.parse(Array(file.utf8))
        #expect(entries.count == 3)
        #expect(entries[0] == KVBulkEntry(key: "a", value: Array("text".utf8)))
        #expect(entries[1].value == [0, 255, 10])
        #expect(entries[1].options.expirationTtlText == "120")
        #expect(entries[1].options.metadata == ["m": 1])
        #expect(entries[2].options.expirationText == "1767229200")
    }

    @Test(
        "bulk put file errors name the item and field",
        arguments: [
            ("{}", "Expected an array"), ("[1]", "index 0 is number"), ("[{\"value\": \"v\"}]", "no string \"key\""),
            ("[{\"key\": \"k\"}]", "no string \"value\""), ("[{\"key\": \"k\", \"value\": \"%%\", \"base64\": true}]", "not base64"),
            ("[{\"key\": \"k\", \"value\": \"v\", \"expiration_ttl\": true}]", "\"expiration_ttl\" that is not a number"),
            ("[{\"key\": \"k\",", "not valid JSON"),
        ]
    )
    func parsePutErrors(file: String, fragment: String) {
        do {
            _ = try KVBulkFile.parse(Array(file.utf8), fileName: "data.json")
            Issue.record("no error for \(file)")
        } catch let error as KVStoreError {
            #expect(error.message.contains(fragment), "\(error.message)")
            #expect(error.message.contains("data.json"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("bulk put checks every entry before writing any")
    func bulkPutAllOrNothing() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let file = """
            [{"key": "a", "value": "1"}, {"key": "b", "value": "2", "expiration_ttl": 30}]
            """
        let entries = try KVBulkFile.parse(Array(file.utf8))
        #expect(
            await kvMessage { try kv.bulkPut(entries) }
                == "KV PUT failed: 400 Invalid expiration_ttl of 30. Expiration TTL must be at least 60."
        )
        #expect(try await kv.get("a") == nil)
        try kv.bulkPut([entries[0], KVBulkEntry(key: "b", value: [50], options: KVPutOptions(expirationText: nil, expirationTtlText: "60"))])
        #expect(try await kv.get("a") == "1")
        #expect(try await kv.getWithMetadata("b")?.expiration == testStart + 60)
    }

    @Test("bulk delete file: strings or objects with a key")
    func bulkDelete() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        for key in ["a", "b", "c"] { try await kv.put(key, "v") }
        let keys = try KVBulkFile.parseKeys(Array("[\"a\", {\"key\": \"b\"}, \"missing\"]".utf8))
        #expect(keys == ["a", "b", "missing"])
        try kv.bulkDelete(keys)
        #expect(try kv.listAll().map(\.name) == ["c"])
        #expect(throws: KVStoreError.self) { try KVBulkFile.parseKeys(Array("[1]".utf8)) }
    }

    @Test("bulk get file: strings or objects with a name, as wrangler reads it")
    func bulkGetFile() throws {
        let keys = try KVBulkFile.parseGetKeys(Array(#"["a", {"name": "b"}, "missing"]"#.utf8))
        #expect(keys == ["a", "b", "missing"])
        do {
            _ = try KVBulkFile.parseGetKeys(Array(#"["a", 1, {"key": "c"}]"#.utf8), fileName: "keys.json")
            Issue.record("a number and an object without a name should be refused")
        } catch let error as KVStoreError {
            #expect(
                error.message == """
                    Unexpected JSON input from "keys.json".
                    Expected an array of strings or objects with a "name" key.
                    The item at index 1 is type: "number" - 1
                    The item at index 2 is type: "object" - {"key":"c"}
                    """
            )
        }
        #expect(throws: KVStoreError.self) { try KVBulkFile.parseGetKeys(Array(#"{"a": 1}"#.utf8)) }
        #expect(throws: KVStoreError.self) { try KVBulkFile.parseGetKeys(Array("[".utf8)) }
    }

    @Test("bulk get output is wrangler's JSON: {key: {value}}, array-index keys first as in a JavaScript object")
    func bulkGetJSON() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("b", "beta")
        try await kv.put("10", "ten")
        try await kv.put("2", "two")
        let values = try kv.bulkGetText(["b", "missing", "10", "2", "02", "b"])
        #expect(
            KVWranglerFormat.bulkGetJSON(values) == """
                {
                  "2": {
                    "value": "two"
                  },
                  "10": {
                    "value": "ten"
                  },
                  "b": {
                    "value": "beta"
                  },
                  "missing": {
                    "value": null
                  },
                  "02": {
                    "value": null
                  }
                }
                """
        )
        #expect(KVWranglerFormat.bulkGetJSON([]) == "{}")
        #expect(await kvMessage { _ = try kv.bulkGetText(["a", ""]) } == "Key name cannot be empty.")
    }

    @Test("list output is wrangler's JSON")
    func listJSON() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("b", "v", options: KVPutOptions(expirationTtl: 60, metadata: ["x": 1]))
        try await kv.put("a", "v")
        let text = KVWranglerFormat.listJSON(try kv.listAll())
        #expect(
            text == """
                [
                  {
                    "name": "a"
                  },
                  {
                    "name": "b",
                    "expiration": \(testStart + 60),
                    "metadata": {
                      "x": 1
                    }
                  }
                ]
                """
        )
        #expect(KVWranglerFormat.listJSON([]) == "[]")
    }

    @Test("CLI flags become put options; bad metadata is a clear error")
    func flags() async throws {
        let options = try KVWranglerFormat.putOptions(ttl: "120", expiration: nil, metadata: "{\"a\":true}")
        #expect(options.expirationTtlText == "120")
        #expect(options.metadata == ["a": true])
        #expect(throws: KVStoreError.self) { try KVWranglerFormat.putOptions(ttl: nil, expiration: nil, metadata: "{") }
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let bad = try KVWranglerFormat.putOptions(ttl: "ten", expiration: nil, metadata: nil)
        #expect(
            await kvMessage { try await kv.put("k", "v", options: bad) }
                == "KV PUT failed: 400 Invalid expiration_ttl of ten. Please specify integer greater than 0."
        )
    }
}
