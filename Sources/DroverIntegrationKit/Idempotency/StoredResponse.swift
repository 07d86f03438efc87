import Drover

/// A response kept whole so it can be answered again: status, header fields in order, body bytes.
///
/// Its JSON form, as ``Idempotency`` stores it: `{"body": "<base64>", "headers": [["name", "value"], …],
/// "status": 201}`. Decoding checks it (a status of 100 to 599, pairs of two, base64), so a record
/// edited by hand fails to decode instead of answering nonsense.
public struct StoredResponse: Codable, Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The header fields, in order, repeated fields kept.
    public var headers: Headers
    /// The body.
    public var body: [UInt8]

    /// The largest body kept: a Workers KV value holds at most 25 MiB.
    public static let maximumBodyBytes = 25 * 1024 * 1024

    /// A response of these parts.
    public init(status: Int, headers: Headers, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `response`, its body read to the end.
    /// - Throws: `BodyError.tooLarge` beyond ``maximumBodyBytes``; what reading the body throws.
    public init(_ response: Response) async throws {
        self.init(status: response.status, headers: response.headers, body: try await response.body.bytes(limit: Self.maximumBodyBytes))
    }

    /// The response to answer with: the same status, fields and body bytes.
    public var response: Response {
        Response(status: status, headers: headers, body: Body(bytes: body))
    }

    private enum CodingKeys: String, CodingKey {
        case status, headers, body
    }

    /// Encodes as `{"status", "headers": [[name, value]], "body": base64}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(headers.fields.map { [$0.name, $0.value] }, forKey: .headers)
        try container.encode(Base64.encode(body), forKey: .body)
    }

    /// Decodes the form ``encode(to:)`` writes.
    /// - Throws: `DecodingError.dataCorrupted` for a status outside 100–599, a header that is not a
    ///   pair, or a body that is not base64.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let status = try container.decode(Int.self, forKey: .status)
        guard (100...599).contains(status) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: container, debugDescription: "status \(status) is not 100 to 599")
        }
        let pairs = try container.decode([[String]].self, forKey: .headers)
        guard pairs.allSatisfy({ $0.count == 2 }) else {
            throw DecodingError.dataCorruptedError(forKey: .headers, in: container, debugDescription: "a header is not a [name, value] pair")
        }
        guard let body = Base64.decode(try container.decode(String.self, forKey: .body)) else {
            throw DecodingError.dataCorruptedError(forKey: .body, in: container, debugDescription: "the body is not base64")
        }
        self.init(status: status, headers: Headers(pairs.map { ($0[0], $0[1]) }), body: body)
    }
}
