import Drover

/// An HTTP message as recording captured it: head and whole body in memory.
package struct RecordedMessage: Sendable {
    /// The request method (empty for a response).
    package var method: String
    /// For an incoming request the path and query (`/webhooks/shopify?x=1`); for an outbound call
    /// the absolute URL; empty for a response.
    package var target: String
    /// The status (0 for a request).
    package var status: Int
    /// The header fields.
    package var headers: Headers
    /// The body bytes.
    package var body: [UInt8]

    /// A request: `target` is the path and query for the worker, the absolute URL for an outbound call.
    package static func request(method: String, target: String, headers: Headers, body: [UInt8]) -> RecordedMessage {
        RecordedMessage(method: method, target: target, status: 0, headers: headers, body: body)
    }

    /// A response.
    package static func response(status: Int, headers: Headers, body: [UInt8]) -> RecordedMessage {
        RecordedMessage(method: "", target: "", status: status, headers: headers, body: body)
    }
}
