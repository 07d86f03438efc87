import Drover
import DroverKV
import Foundation
import Testing

/// The bulk `get([keys])` and `getWithMetadata([keys])` as Miniflare's `POST /bulk/get` answers them
/// (workers-sdk `packages/miniflare/src/workers/kv/namespace.worker.ts`), on real files.
@Suite("KV bulk get and getWithMetadata")
struct KVBulkGetTests {
    @Test("getWithMetadata([keys]): {value, metadata} per key, metadata nil when none, nil for an absent key")
    func withMetadata() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("a", json: ["x": 1], options: KVPutOptions(metadata: ["owner": "ana"]))
        try await kv.put("b", "plain")
        let text = try await kv.getWithMetadata(["a", "b", "c"])
        #expect(text.count == 3)
        #expect(text["a"] == .some(KVBulkValueWithMetadata(value: .text(#"{"x":1}"#), metadata: ["owner": "ana"])))
        #expect(text["b"] == .some(KVBulkValueWithMetadata(value: .text("plain"), metadata: nil)))
        #expect(text["c"] == .some(nil))
        let json = try await kv.getWithMetadata(["a"], type: .json)
        #expect(json["a"] == .some(KVBulkValueWithMetadata(value: .json(["x": 1]), metadata: ["owner": "ana"])))
        #expect(
            await kvMessage { _ = try await kv.getWithMetadata(["a", "b"], type: .json) }
                == "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value"
        )
    }

    @Test("both forms: at most 100 keys, at least one, type text or json, checked in Miniflare's order")
    func limits() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let tooMany = (0...100).map { "k\($0)" }
        #expect(
            await kvMessage { _ = try await kv.getWithMetadata(tooMany) }
                == "KV GET_BULK failed: 400 You can request a maximum of 100 keys"
        )
        #expect(try await kv.getWithMetadata(Array(tooMany.prefix(100))).count == 100)
        #expect(await kvMessage { _ = try await kv.getWithMetadata([]) } == "KV GET_BULK failed: 400 You must request a minimum of 1 key")
        // The type is looked at before the number of keys.
        let stream = KVBulkType(rawValue: "stream")
        #expect(
            await kvMessage { _ = try await kv.get([], type: stream) }
                == "KV GET_BULK failed: 400 \"stream\" is not a valid type. Use \"json\" or \"text\""
        )
        #expect(
            await kvMessage { _ = try await kv.getWithMetadata(tooMany, type: stream) }
                == "KV GET_BULK failed: 400 \"stream\" is not a valid type. Use \"json\" or \"text\""
        )
    }

    @Test("keys and cacheTtl are checked key by key, with Miniflare's messages; the first key at fault decides")
    func keyByKey() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        try await kv.put("not-json", "plain")
        #expect(await kvMessage { _ = try await kv.get(["a", ""]) } == "KV GET_BULK failed: 400 Key names must not be empty")
        #expect(
            await kvMessage { _ = try await kv.get(["..", "a"]) }
                == "KV GET_BULK failed: 400 Illegal key name \"..\". Please use a different name."
        )
        #expect(
            await kvMessage { _ = try await kv.getWithMetadata([String(repeating: "k", count: 513)]) }
                == "KV GET_BULK failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."
        )
        #expect(
            await kvMessage { _ = try await kv.get(["a"], type: .text, cacheTtl: 10) }
                == "KV GET_BULK failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30."
        )
        #expect(try await kv.get(["a"], type: .text, cacheTtl: 30)["a"] == .some(nil))
        // A value that is not JSON before an invalid key: the value's error; after it: the key's.
        #expect(
            await kvMessage { _ = try await kv.get(["not-json", "."], type: .json) }
                == "KV GET_BULK failed: 400 At least one of the requested keys corresponds to a non-json value"
        )
        #expect(
            await kvMessage { _ = try await kv.get([".", "not-json"], type: .json) }
                == "KV GET_BULK failed: 400 Illegal key name \".\". Please use a different name."
        )
    }

    @Test("values of more than 25 MiB together fail with 413; 25 MiB pass")
    func totalSize() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let largest = 25 * 1024 * 1024
        let tooLarge = "KV GET_BULK failed: 413 Total size of request exceeds the limit of 25MB"
        try await kv.put("big", value: [UInt8](repeating: UInt8(ascii: "a"), count: largest), options: KVPutOptions())
        try await kv.put("one", "b")
        let alone = try await kv.get(["big", "missing"])
        #expect(alone["big"]??.textLength == largest)
        #expect(await kvMessage { _ = try await kv.get(["big", "one"]) } == tooLarge)
        #expect(await kvMessage { _ = try await kv.getWithMetadata(["big", "one"]) } == tooLarge)
        // As JSON the size is the text's; the same key twice counts twice.
        let half = [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "h"), count: largest / 2 - 1) + [UInt8(ascii: "\"")]
        try await kv.put("half", value: half, options: KVPutOptions())
        #expect(try await kv.get(["half"], type: .json).count == 1)
        #expect(await kvMessage { _ = try await kv.get(["half", "half"], type: .json) } == tooLarge)
    }
}

extension KVBulkValue {
    /// The length of a text value, in bytes.
    fileprivate var textLength: Int? {
        if case .text(let text) = self { text.utf8.count } else { nil }
    }
}
