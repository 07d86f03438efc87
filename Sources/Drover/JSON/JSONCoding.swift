import Foundation

/// The `JSONEncoder` and `JSONDecoder` settings of every `Codable` path in Drover:
/// `Response.json(encoding:)`, `request.json(as:)`, KV's `put(_:json:)` and `get(_:as:)`,
/// ``JSONValue/init(encoding:)``.
///
/// Encoding sorts keys and leaves `/` unescaped. `JSON.stringify` keeps insertion order, but
/// `JSONEncoder` keeps no order at all (the same struct may come out in a different order in each
/// process), so sorted keys are what makes the output stable; a JSON literal (``JSONValue``) keeps
/// source order. Dates and data use the coders' defaults.
package enum JSONCoding {
    /// JSON text of `value`.
    package static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// `T` decoded from JSON text.
    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(bytes))
    }

    /// A one-line account of a decoding failure that names where it happened: `items[0].price:
    /// Expected to decode Double but found a string instead.`, `missing key "email"`. When the text
    /// is not JSON at all, the JSON parser's own message (line and column) is used.
    package static func describe(_ error: DecodingError, in bytes: [UInt8]) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let path = self.path(context.codingPath)
            return "missing key \"\(key.stringValue)\"" + (path.isEmpty ? "" : " in \(path)")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return located(context)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                do {
                    _ = try JSONParser.parse(bytes)
                } catch {
                    return "not JSON: \(error)"
                }
            }
            return located(context)
        @unknown default:
            return String(describing: error)
        }
    }

    /// `error` moved under `prefix` (a KV key, a D1 column): `prefix` goes in front of its coding
    /// path and `description` replaces its description; the original is kept as the underlying error.
    package static func relocated(_ error: DecodingError, under prefix: [any CodingKey], description: String) -> DecodingError {
        func context(_ context: DecodingError.Context) -> DecodingError.Context {
            DecodingError.Context(codingPath: prefix + context.codingPath, debugDescription: description, underlyingError: error)
        }
        switch error {
        case .typeMismatch(let type, let original): return .typeMismatch(type, context(original))
        case .valueNotFound(let type, let original): return .valueNotFound(type, context(original))
        case .keyNotFound(let missing, let original): return .keyNotFound(missing, context(original))
        case .dataCorrupted(let original): return .dataCorrupted(context(original))
        @unknown default: return error
        }
    }

    /// A coding path as `items[0].price`.
    package static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == String(index) {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }

    private static func located(_ context: DecodingError.Context) -> String {
        let path = self.path(context.codingPath)
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }
}

/// A name as a `CodingKey`, to head a coding path (a KV key, a D1 column).
package struct NameCodingKey: CodingKey, Sendable {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(_ name: String) { stringValue = name }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}
