import Drover
import Foundation

/// One entry of a wrangler bulk file: a key, its value and its `put` options.
package struct KVBulkEntry: Sendable, Equatable {
    /// The key.
    package var key: String
    /// The value's bytes (decoded from base64 when the entry says `"base64": true`).
    package var value: [UInt8]
    /// `expiration`, `expiration_ttl` (kept unparsed, validated by `put`) and `metadata`.
    package var options: KVPutOptions

    /// Creates an entry.
    package init(key: String, value: [UInt8], options: KVPutOptions = KVPutOptions()) {
        self.key = key
        self.value = value
        self.options = options
    }
}

/// wrangler's bulk file formats (`wrangler kv bulk put|delete|get FILE.json`).
///
/// `put`: a JSON array of `{"key": string, "value": string, "expiration"?: number,
/// "expiration_ttl"?: number, "metadata"?: any, "base64"?: boolean}` (Cloudflare docs, "Wrangler
/// commands › kv bulk put"). `delete`: a JSON array of key strings, or of objects with a `"key"`.
/// `get`: a JSON array of key strings, or of objects with a `"name"`.
package enum KVBulkFile {
    /// Parses a bulk `put` file.
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - fileName: named in errors.
    /// - Throws: ``KVStoreError`` naming the file, the item index and the field at fault.
    package static func parse(_ bytes: [UInt8], fileName: String = "the bulk file") throws -> [KVBulkEntry] {
        let items = try array(bytes, fileName: fileName)
        var entries: [KVBulkEntry] = []
        entries.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            func fail(_ why: String) -> KVStoreError {
                .invalidInput(
                    "Unexpected JSON input from \"\(fileName)\". The item at index \(index) \(why). Each item should be "
                        + "{\"key\": string, \"value\": string, \"expiration\"?: number, \"expiration_ttl\"?: number, "
                        + "\"metadata\"?: object, \"base64\"?: boolean}."
                )
            }
            guard let object = item.objectValue else { throw fail("is \(item.kindName), not an object") }
            guard let key = object["key"]?.stringValue else { throw fail("has no string \"key\"") }
            guard let text = object["value"]?.stringValue else { throw fail("has no string \"value\"") }
            var base64 = false
            if let flag = object["base64"], !flag.isNull {
                guard let value = flag.boolValue else { throw fail("has a \"base64\" that is not a boolean") }
                base64 = value
            }
            var value = Array(text.utf8)
            if base64 {
                guard let data = Data(base64Encoded: text) else { throw fail("has a \"value\" that is not base64") }
                value = Array(data)
            }
            var options = KVPutOptions(
                expirationText: try number(object["expiration"], field: "expiration", fail: fail),
                expirationTtlText: try number(object["expiration_ttl"], field: "expiration_ttl", fail: fail)
            )
            if let metadata = object["metadata"], !metadata.isNull { options.metadata = metadata }
            entries.append(KVBulkEntry(key: key, value: value, options: options))
        }
        return entries
    }

    /// Parses a bulk `delete` file: the keys to delete.
    /// - Throws: ``KVStoreError`` naming the file and the item at fault.
    package static func parseKeys(_ bytes: [UInt8], fileName: String = "the bulk file") throws -> [String] {
        try array(bytes, fileName: fileName).enumerated().map { index, item in
            if let key = item.stringValue ?? item["key"]?.stringValue { return key }
            throw KVStoreError.invalidInput(
                "Unexpected JSON input from \"\(fileName)\". The item at index \(index) is not a key string "
                    + "(or an object with a string \"key\")."
            )
        }
    }

    /// Parses a bulk `get` file as `wrangler kv bulk get` does: a JSON array of key strings, or of
    /// objects with a string `"name"` (workers-sdk `packages/wrangler/src/kv/index.ts`,
    /// `kvBulkGetCommand`).
    /// - Throws: ``KVStoreError`` naming the file and listing every item at fault, in wrangler's words.
    package static func parseGetKeys(_ bytes: [UInt8], fileName: String = "the bulk file") throws -> [String] {
        let json = try document(bytes, fileName: fileName)
        guard let items = json.arrayValue else {
            throw KVStoreError.invalidInput(
                "Unexpected JSON input from \"\(fileName)\".\nExpected an array of strings but got:\n\(JSONSerializer.string(json))"
            )
        }
        var keys: [String] = []
        var errors: [String] = []
        for (index, item) in items.enumerated() {
            if let key = item.stringValue ?? item["name"]?.stringValue {
                keys.append(key)
            } else {
                errors.append("The item at index \(index) is type: \"\(javaScriptType(item))\" - \(JSONSerializer.string(item))")
            }
        }
        guard errors.isEmpty else {
            throw KVStoreError.invalidInput(
                "Unexpected JSON input from \"\(fileName)\".\nExpected an array of strings or objects with a \"name\" key.\n"
                    + errors.joined(separator: "\n")
            )
        }
        return keys
    }

    /// JavaScript's `typeof` of a JSON value.
    private static func javaScriptType(_ value: JSONValue) -> String {
        switch value {
        case .null, .object, .array: "object"
        case .bool: "boolean"
        case .integer, .double: "number"
        case .string: "string"
        }
    }

    private static func document(_ bytes: [UInt8], fileName: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw KVStoreError.invalidInput("\"\(fileName)\" is not valid JSON: \(error)")
        }
    }

    private static func array(_ bytes: [UInt8], fileName: String) throws -> [JSONValue] {
        let json = try document(bytes, fileName: fileName)
        guard let items = json.arrayValue else {
            throw KVStoreError.invalidInput(
                "Unexpected JSON input from \"\(fileName)\". Expected an array of key-value pairs but got \(json.kindName)."
            )
        }
        return items
    }

    private static func number(
        _ value: JSONValue?,
        field: String,
        fail: (String) -> KVStoreError
    ) throws -> String? {
        guard let value, !value.isNull else { return nil }
        switch value {
        case .integer(let number): return String(number)
        case .double: return JSONSerializer.string(value)
        case .string(let text): return text
        default: throw fail("has an \"\(field)\" that is not a number")
        }
    }
}
