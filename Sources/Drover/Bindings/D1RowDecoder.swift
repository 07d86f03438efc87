import Foundation

/// Decodes ``D1Row``s into `Decodable` types: a property per column, found by name.
///
/// Conversions (what a property's type accepts):
/// - `Int`, `Int64` and the other integers: an integer in range, or a real with no fractional part;
/// - `Double`, `Float`: a real or an integer;
/// - `Bool`: an integer, 0 being `false` (D1 stores booleans as 1 and 0);
/// - `String`: text;
/// - `[UInt8]`, `Data`: a blob;
/// - an optional: NULL or a missing column is `nil`, anything else as the wrapped type;
/// - a type decoded from a single value (a `RawRepresentable` enum, a wrapper struct): as its value;
/// - an array, a dictionary or a struct: text holding JSON, through `JSONDecoder`.
///
/// A type decoded from the row as a whole (`first(as: Int.self)`, `first(as: String?.self)`) reads
/// the leftmost column, as GRDB's `fetchOne` does: `SELECT count(*) FROM users`.
enum D1RowDecoding {
    /// `T` decoded from `row`.
    static func decode<T: Decodable>(_ type: T.Type, from row: D1Row) throws -> T {
        if T.self == [UInt8].self || T.self == Data.self {
            let (value, path) = try leftmost(of: row, for: T.self)
            return try decode(T.self, from: value, at: path)
        }
        return try T(from: RowDecoder(row: row, codingPath: []))
    }

    /// `T` decoded from one column's `value`; `path` ends with the column.
    static func decode<T: Decodable>(_ type: T.Type, from value: D1Value, at path: [any CodingKey]) throws -> T {
        if T.self == [UInt8].self || T.self == Data.self {
            guard case .blob(let bytes) = value else { throw mismatch(T.self, value, at: path) }
            if T.self == Data.self { return Data(bytes) as! T }
            return bytes as! T
        }
        do {
            return try T(from: ValueDecoder(value: value, codingPath: path))
        } catch is ContainerRequested {
            guard case .text(let text) = value else {
                throw mismatch(T.self, value, at: path, hint: " (a text column holding JSON can be decoded into it)")
            }
            let bytes = Array(text.utf8)
            do {
                return try JSONCoding.decode(T.self, from: bytes)
            } catch let error as DecodingError {
                throw JSONCoding.relocated(
                    error, under: path, description: "\(columnName(path)) as JSON: " + JSONCoding.describe(error, in: bytes))
            }
        }
    }

    /// The leftmost column's value, for a type decoded from a single value.
    static func leftmost(of row: D1Row, for type: Any.Type) throws -> (D1Value, [any CodingKey]) {
        guard let column = row.columns.first, let value = row.values.first else {
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: [], debugDescription: "the row has no column to decode \(type) from"))
        }
        return (value, [NameCodingKey(column)])
    }

    /// `column "id"` for a path ending with the column.
    static func columnName(_ path: [any CodingKey]) -> String {
        "column \"\(path.last?.stringValue ?? "")\""
    }

    /// `column "id" holds text, not Int`.
    static func mismatch(_ type: Any.Type, _ value: D1Value, at path: [any CodingKey], hint: String = "") -> DecodingError {
        if value == .null {
            return DecodingError.valueNotFound(
                type,
                DecodingError.Context(
                    codingPath: path, debugDescription: "\(columnName(path)) is NULL, not \(type) (an optional property takes NULL)"))
        }
        return DecodingError.typeMismatch(
            type, DecodingError.Context(codingPath: path, debugDescription: "\(columnName(path)) holds \(describe(value)), not \(type)\(hint)"))
    }

    /// The kind of a value (and the number itself, which is short and safe to show).
    static func describe(_ value: D1Value) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let integer): "the integer \(integer)"
        case .real(let double): "the real \(double)"
        case .text: "text"
        case .blob(let bytes): "a blob of \(bytes.count) bytes"
        }
    }
}

/// Thrown by ``ValueDecoder`` when a type asks one column for a keyed or unkeyed container:
/// ``D1RowDecoding/decode(_:from:at:)`` then decodes the column's text as JSON, or reports the mismatch.
private struct ContainerRequested: Error {}

/// The decoder of a whole row: a keyed container by column name, or the leftmost column as a
/// single value.
private struct RowDecoder: Decoder {
    let row: D1Row
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowContainer<Key>(row: row, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self,
            DecodingError.Context(
                codingPath: codingPath, debugDescription: "a D1 row decodes into a type with a property per column, or a single value"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        let (value, path) = try D1RowDecoding.leftmost(of: row, for: Any.self)
        return ValueContainer(value: value, codingPath: path)
    }
}

/// The columns of a row by name (the last of repeated names, as ``D1Row/subscript(_:)`` reads).
private struct RowContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: D1Row
    let codingPath: [any CodingKey]

    var allKeys: [Key] { row.columns.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { row.columns.contains(key.stringValue) }

    private func column(_ key: Key) throws -> ValueContainer {
        guard let value = row[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "no column \"\(key.stringValue)\" in the row (columns: \(row.columns.joined(separator: ", ")))"))
        }
        return ValueContainer(value: value, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try column(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try column(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try column(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try column(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try column(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try column(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try column(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try column(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try column(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try column(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try column(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try column(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try column(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try column(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try column(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try column(key).decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.typeMismatch(
            [String: Any].self,
            DecodingError.Context(codingPath: codingPath + [key], debugDescription: "a D1 column holds a single value, not a nested container"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(
            [Any].self,
            DecodingError.Context(codingPath: codingPath + [key], debugDescription: "a D1 column holds a single value, not a nested container"))
    }

    /// The same row: a superclass decodes its properties from the same columns.
    func superDecoder() throws -> any Decoder { RowDecoder(row: row, codingPath: codingPath) }

    /// The same row: a superclass decodes its properties from the same columns.
    func superDecoder(forKey key: Key) throws -> any Decoder { RowDecoder(row: row, codingPath: codingPath) }
}

/// The decoder of one column's value, for a type decoded from a single value.
private struct ValueDecoder: Decoder {
    let value: D1Value
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw ContainerRequested() }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw ContainerRequested() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { ValueContainer(value: value, codingPath: codingPath) }
}

/// One column's value, converted as ``D1RowDecoding`` describes.
private struct ValueContainer: SingleValueDecodingContainer {
    let value: D1Value
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard let bool = value.bool else { throw D1RowDecoding.mismatch(type, value, at: codingPath) }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard let text = value.string else { throw D1RowDecoding.mismatch(type, value, at: codingPath) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard let double = value.double else { throw D1RowDecoding.mismatch(type, value, at: codingPath) }
        return double
    }

    func decode(_ type: Float.Type) throws -> Float {
        guard let double = value.double else { throw D1RowDecoding.mismatch(type, value, at: codingPath) }
        return Float(double)
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try D1RowDecoding.decode(T.self, from: value, at: codingPath)
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let integer = value.int64 else { throw D1RowDecoding.mismatch(type, value, at: codingPath) }
        guard let converted = T(exactly: integer) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: codingPath, debugDescription: "\(D1RowDecoding.columnName(codingPath)) holds \(integer), out of range for \(type)"))
        }
        return converted
    }
}
