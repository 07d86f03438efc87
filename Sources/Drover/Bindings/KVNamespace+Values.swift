/// KV values as Swift values: text converted to `Int`, `Double`, `Bool`, ...; JSON decoded into
/// `Decodable` types; `Encodable` values stored as JSON.
///
/// **Which `get(_:as:)`.** A type that converts from text (`LosslessStringConvertible`: `Int`,
/// `Double`, `Bool`, `String`, ...) is read from the value's text, even when it is also `Decodable`:
/// `get("visits", as: Int.self)` reads `42` stored by `put("visits", "42")`. Any other `Decodable`
/// type (a struct, `[String]`, `[String: Int]`) is read as JSON through `JSONDecoder`.
///
/// A value that is present but does not convert throws a `DecodingError` whose coding path starts
/// with the key and whose description names it (`KV value of "visits" is not an Int: "abc"`):
/// `nil` means only that the key is absent.
extension KVNamespace {
    /// The value of `key`, its text converted to `T` (`Int(text)`, `Double(text)`, `Bool(text)`), or
    /// `nil` when the key is absent.
    /// - Throws: `DecodingError.dataCorrupted` when the text does not convert (`T(text)` is `nil`).
    public func get<T: LosslessStringConvertible>(_ key: String, as type: T.Type, cacheTtl: Int? = nil) async throws -> T? {
        try await text(of: key, as: T.self, cacheTtl: cacheTtl)
    }

    /// The value of `key` read as text, for a type that is both `LosslessStringConvertible` and
    /// `Decodable` (`Int`, `String`, `Bool`, ...): text wins, so `"42"` stored as text is `42`.
    public func get<T: LosslessStringConvertible & Decodable>(_ key: String, as type: T.Type, cacheTtl: Int? = nil) async throws -> T? {
        try await text(of: key, as: T.self, cacheTtl: cacheTtl)
    }

    /// The value of `key` decoded from JSON into `T` through `JSONDecoder`, or `nil` when the key is
    /// absent.
    /// - Throws: `DecodingError` when the value is not JSON or not a `T`; its coding path starts
    ///   with the key and its description names the key and where the value went wrong
    ///   (`KV value of "user:1": not JSON: 1:1: unexpected character 'a'`).
    public func get<T: Decodable>(_ key: String, as type: T.Type, cacheTtl: Int? = nil) async throws -> T? {
        guard let bytes = try await getBytes(key, cacheTtl: cacheTtl) else { return nil }
        do {
            return try JSONCoding.decode(T.self, from: bytes)
        } catch let error as DecodingError {
            throw JSONCoding.relocated(
                error, under: [NameCodingKey(key)], description: "KV value of \"\(key)\": " + JSONCoding.describe(error, in: bytes))
        }
    }

    /// Stores `value` as JSON text written by `JSONEncoder` (keys sorted, `/` not escaped).
    ///
    /// A JSON literal or a ``JSONValue`` goes to the `JSONValue` overload instead, which keeps the
    /// literal's key order (this one is disfavored so that a literal such as `["b": 1, "a": 2]`,
    /// which is also a `[String: Int]`, does not end up here with its keys sorted).
    /// - Throws: `EncodingError` when the value cannot be encoded; ``KVError`` as `put` does.
    @_disfavoredOverload
    public func put<T: Encodable>(_ key: String, json value: T, options: KVPutOptions = KVPutOptions()) async throws {
        try await put(key, value: try JSONCoding.encode(value), options: options)
    }

    private func text<T: LosslessStringConvertible>(of key: String, as type: T.Type, cacheTtl: Int?) async throws -> T? {
        guard let text = try await get(key, cacheTtl: cacheTtl) else { return nil }
        guard let value = T(text) else {
            let quoted = JSONSerializer.string(.string(text))
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [NameCodingKey(key)], debugDescription: "KV value of \"\(key)\" is not \(Self.article(T.self)): \(quoted)"))
        }
        return value
    }

    /// `an Int`, `a Double`, `a Bool`: the type's name with its article.
    private static func article(_ type: Any.Type) -> String {
        let name = String(describing: type)
        return ("AEIOU".contains(name.first ?? "x") ? "an " : "a ") + name
    }
}
