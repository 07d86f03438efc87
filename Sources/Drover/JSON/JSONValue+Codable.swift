import Foundation

extension JSONValue {
    /// The JSON form of an `Encodable` value (through `JSONEncoder`, keys sorted as `Response.json(encoding:)` sorts them).
    public init<T: Encodable>(encoding value: T) throws {
        self = try JSONParser.parse(JSONCoding.encode(value))
    }

    /// Decodes this JSON into `T` (through `JSONDecoder`).
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONCoding.decode(T.self, from: JSONSerializer.bytes(self))
    }
}
