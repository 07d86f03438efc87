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
