/// A message body: what the consumer's ``Message/body`` gives back.
public enum MessageBody: Sendable, Hashable {
    /// A JSON value (content type `json`, also used for `v8`).
    case json(JSONValue)
    /// Text (content type `text`).
    case text(String)
    /// Raw bytes (content type `bytes`).
    case bytes([UInt8])

    /// The body as JSON when it is JSON.
    public var json: JSONValue? {
        if case .json(let value) = self { return value }
        return nil
    }

    /// The body as text when it is text.
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}

extension MessageBody: CustomStringConvertible {
    /// JSON bodies as their JSON text, text as itself, bytes as a count (for log lines).
    public var description: String {
        switch self {
        case .json(let value): JSONSerializer.string(value)
        case .text(let text): text
        case .bytes(let bytes): "<\(bytes.count) bytes>"
        }
    }
}
