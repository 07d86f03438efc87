import Foundation

extension JSONValue {
    /// The JSON form of an `Encodable` value (through `JSONEncoder`).
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONParser.parse(Array(data))
    }

    /// Decodes this JSON into `T` (through `JSONDecoder`).
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(JSONSerializer.bytes(self)))
    }
}
