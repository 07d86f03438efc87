/// A queue producer binding (`env.EMAILS.send(...)`).
///
/// A `send` that returned is durable: the message survives a crash of the process and is
/// delivered at least once. Errors are ``QueueError``s with the platform's wording.
public protocol Queue: Sendable {
    /// Sends one message.
    func send(_ message: MessageSendRequest) async throws

    /// Sends up to 100 messages at once; `delaySeconds` applies to those without their own.
    func sendBatch(_ messages: [MessageSendRequest], delaySeconds: Int?) async throws
}

extension Queue {
    /// Sends one message with `body`.
    public func send(_ body: MessageBody, contentType: QueueContentType? = nil, delaySeconds: Int? = nil) async throws {
        try await send(MessageSendRequest(body: body, contentType: contentType, delaySeconds: delaySeconds))
    }

    /// Sends one JSON message.
    public func send(json: JSONValue, delaySeconds: Int? = nil) async throws {
        try await send(MessageSendRequest(body: .json(json), contentType: .json, delaySeconds: delaySeconds))
    }

    /// Sends a batch with no batch-wide delay.
    public func sendBatch(_ messages: [MessageSendRequest]) async throws {
        try await sendBatch(messages, delaySeconds: nil)
    }
}

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

/// A message's declared content type: `json`, `text`, `bytes` or `v8`. Any other value is
/// refused by the binding with the platform's message.
public struct QueueContentType: RawRepresentable, Sendable, Hashable {
    /// The type's name as the platform spells it.
    public var rawValue: String
    /// Any name; the binding refuses names other than the four below when sending.
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let json = QueueContentType(rawValue: "json")
    public static let text = QueueContentType(rawValue: "text")
    public static let bytes = QueueContentType(rawValue: "bytes")
    public static let v8 = QueueContentType(rawValue: "v8")
}

/// One message to send.
public struct MessageSendRequest: Sendable, Hashable {
    /// What the consumer receives; at most 128 000 bytes (JSON serialized, text as UTF-8).
    public var body: MessageBody
    /// When `nil`, `json` for JSON bodies, `text` for text, `bytes` for bytes.
    public var contentType: QueueContentType?
    /// Seconds before the message may be delivered (0 to 43 200). When `nil`, the batch's
    /// `delaySeconds`, then the producer's `delivery_delay`, then 0.
    public var delaySeconds: Int?

    /// Creates a message to send.
    public init(body: MessageBody, contentType: QueueContentType? = nil, delaySeconds: Int? = nil) {
        self.body = body
        self.contentType = contentType
        self.delaySeconds = delaySeconds
    }
}

/// A queue error with the platform's message (`Queue send failed: message length of ...`).
public struct QueueError: BindingError, Equatable {
    /// The platform's message, verbatim.
    public var message: String

    /// Creates an error with the platform's `message`.
    public init(_ message: String) {
        self.message = message
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
