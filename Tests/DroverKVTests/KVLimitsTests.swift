import Drover
import DroverKV
import Foundation
import Testing

@Suite("KV limits and the platform's messages")
struct KVLimitsTests {
    @Test("key names: empty, dot, dot-dot")
    func keyNames() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        #expect(await kvMessage { _ = try await kv.get("") } == "Key name cannot be empty.")
        #expect(await kvMessage { try await kv.put("", "v") } == "Key name cannot be empty.")
        #expect(await kvMessage { try await kv.delete("") } == "Key name cannot be empty.")
        #expect(await kvMessage { _ = try await kv.get(".") } == "\".\" is not allowed as a key name.")
        #expect(await kvMessage { try await kv.put("..", "v") } == "\"..\" is not allowed as a key name.")
        #expect(await kvMessage { try await kv.delete("..") } == "\"..\" is not allowed as a key name.")
        // Longer runs of dots are ordinary keys.
        try await kv.put("...", "three")
        #expect(try await kv.get("...") == "three")
    }

    @Test("key length: 512 bytes pass, 513 fail for each method", arguments: ["GET", "PUT", "DELETE"])
    func keyLength(method: String) async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        // 511 ASCII + one 2-byte character = 513 bytes in 512 characters: the limit counts UTF-8 bytes.
        let atLimit = String(repeating: "k", count: 512)
        let overLimit = String(repeating: "k", count: 511) + "é"
        let expected = "KV \(method) failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."
        switch method {
        case "GET":
            #expect(await kvMessage { _ = try await kv.get(atLimit) } == nil)
            #expect(await kvMessage { _ = try await kv.get(overLimit) } == expected)
        case "PUT":
            #expect(await kvMessage { try await kv.put(atLimit, "v") } == nil)
            #expect(try await kv.get(atLimit) == "v")
            #expect(await kvMessage { try await kv.put(overLimit, "v") } == expected)
        default:
            #expect(await kvMessage { try await kv.delete(atLimit) } == nil)
            #expect(await kvMessage { try await kv.delete(overLimit) } == expected)
        }
    }

    @Test("value length: 25 MiB pass, one byte more fails")
    func valueLength() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        var value = [UInt8](repeating: 0x61, count: 26_214_400)
        try await kv.put("big", value: value, options: KVPutOptions())
        #expect(try await kv.getBytes("big")?.count == 26_214_400)
        value.append(0x62)
        #expect(
            await kvMessage { try await kv.put("bigger", value: value, options: KVPutOptions()) }
                == "KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400."
        )
        #expect(try await kv.get("bigger") == nil)
    }

    @Test("metadata: 1024 bytes of JSON pass, 1025 fail")
    func metadataLength() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        // A JSON string of n characters serializes to n + 2 bytes.
        let atLimit = JSONValue.string(String(repeating: "m", count: 1022))
        let overLimit = JSONValue.string(String(repeating: "m", count: 1023))
        try await kv.put("a", "v", options: KVPutOptions(metadata: atLimit))
        #expect(try await kv.getWithMetadata("a")?.metadata == atLimit)
        #expect(
            await kvMessage { try await kv.put("b", "v", options: KVPutOptions(metadata: overLimit)) }
                == "KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024."
        )
    }

    @Test(
        "expirationTtl: not a positive integer, under 60, at 60",
        arguments: [
            ("0", "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0."),
            ("-5", "KV PUT failed: 400 Invalid expiration_ttl of -5. Please specify integer greater than 0."),
            ("abc", "KV PUT failed: 400 Invalid expiration_ttl of abc. Please specify integer greater than 0."),
            ("90.5", "KV PUT failed: 400 Invalid expiration_ttl of 90.5. Please specify integer greater than 0."),
            ("", "KV PUT failed: 400 Invalid expiration_ttl of . Please specify integer greater than 0."),
            ("1", "KV PUT failed: 400 Invalid expiration_ttl of 1. Expiration TTL must be at least 60."),
            ("59", "KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60."),
            ("60", nil),
        ] as [(String, String?)]
    )
    func expirationTtlText(raw: String, expected: String?) async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let options = KVPutOptions(expirationText: nil, expirationTtlText: raw)
        #expect(await kvMessage { try await kv.put("k", "v", options: options) } == expected)
        if expected == nil {
            #expect(try await kv.getWithMetadata("k")?.expiration == testStart + 60)
        } else {
            #expect(try await kv.get("k") == nil)
        }
    }

    @Test("expirationTtl as an integer")
    func expirationTtlInteger() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        #expect(
            await kvMessage { try await kv.put("k", "v", options: KVPutOptions(expirationTtl: 0)) }
                == "KV PUT failed: 400 Invalid expiration_ttl of 0. Please specify integer greater than 0."
        )
        #expect(
            await kvMessage { try await kv.put("k", "v", options: KVPutOptions(expirationTtl: 59)) }
                == "KV PUT failed: 400 Invalid expiration_ttl of 59. Expiration TTL must be at least 60."
        )
        try await kv.put("k", "v", options: KVPutOptions(expirationTtl: 60))
        #expect(try await kv.getWithMetadata("k")?.expiration == testStart + 60)
    }

    @Test("expiration: not after now, under 60 s ahead, exactly 60 s ahead")
    func expiration() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        let notAfter = { (v: String) in
            "KV PUT failed: 400 Invalid expiration of \(v). Please specify integer greater than the current number of seconds since the UNIX epoch."
        }
        let tooSoon = { (v: String) in
            "KV PUT failed: 400 Invalid expiration of \(v). Expiration times must be at least 60 seconds in the future."
        }
        for (value, message) in [
            (testStart, notAfter(String(testStart))), (testStart - 1, notAfter(String(testStart - 1))),
            (testStart + 1, tooSoon(String(testStart + 1))), (testStart + 59, tooSoon(String(testStart + 59))),
        ] {
            #expect(await kvMessage { try await kv.put("k", "v", options: KVPutOptions(expiration: value)) } == message)
        }
        #expect(
            await kvMessage { try await kv.put("k", "v", options: KVPutOptions(expirationText: "soon", expirationTtlText: nil)) }
                == notAfter("soon")
        )
        try await kv.put("k", "v", options: KVPutOptions(expiration: testStart + 60))
        #expect(try await kv.getWithMetadata("k")?.expiration == testStart + 60)
    }

    @Test("when both are given the TTL wins")
    func ttlWins() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        // The absolute expiration is invalid but not looked at.
        try await kv.put("k", "v", options: KVPutOptions(expiration: 5, expirationTtl: 120))
        #expect(try await kv.getWithMetadata("k")?.expiration == testStart + 120)
        #expect(
            await kvMessage { try await kv.put("k", "v", options: KVPutOptions(expiration: testStart + 600, expirationTtl: 10)) }
                == "KV PUT failed: 400 Invalid expiration_ttl of 10. Expiration TTL must be at least 60."
        )
    }

    @Test("cacheTtl: 29 fails, 30 passes")
    func cacheTtl() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        #expect(
            await kvMessage { _ = try await kv.get("k", cacheTtl: 29) }
                == "KV GET failed: 400 Invalid cache_ttl of 29. Cache TTL must be at least 30."
        )
        #expect(await kvMessage { _ = try await kv.get("k", cacheTtl: 30) } == nil)
    }

    @Test("list limit: 0 and 1001 fail, 1 and 1000 pass")
    func listLimit() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        #expect(
            await kvMessage { _ = try await kv.list(limit: 1001) }
                == "KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000."
        )
        #expect(
            await kvMessage { _ = try await kv.list(limit: 0) }
                == "KV GET failed: 400 Invalid key_count_limit of 0. Please specify an integer greater than 0."
        )
        #expect(await kvMessage { _ = try await kv.list(limit: 1) } == nil)
        #expect(await kvMessage { _ = try await kv.list(limit: 1000) } == nil)
    }

    @Test("bulk get: 0 keys, 101 keys, a bad type; 100 keys pass")
    func bulkGet() async throws {
        let directory = TemporaryDirectory()
        let kv = try KVTestFactory.make(directory)
        #expect(
            await kvMessage { _ = try await kv.get([], type: .text) }
                == "KV GET_BULK failed: 400 You must request a minimum of 1 key"
        )
        let keys = (0..<101).map { "k\($0)" }
        #expect(
            await kvMessage { _ = try await kv.get(keys, type: .text) }
                == "KV GET_BULK failed: 400 You can request a maximum of 100 keys"
        )
        #expect(
            await kvMessage { _ = try await kv.get(["a"], type: KVBulkType(rawValue: "arrayBuffer")) }
                == "KV GET_BULK failed: 400 \"arrayBuffer\" is not a valid type. Use \"json\" or \"text\""
        )
        let result = try await kv.get(Array(keys.prefix(100)), type: .text)
        #expect(result.count == 100)
        #expect(
            await kvMessage { _ = try await kv.get([String(repeating: "x", count: 513)], type: .text) }
                == "KV GET_BULK failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."
        )
    }
}
