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
