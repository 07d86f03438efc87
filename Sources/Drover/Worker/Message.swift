import Foundation
import Synchronization

/// One queue message as a consumer sees it.
public struct Message: Sendable {
    /// What the runtime stores of a message.
    package struct Content: Sendable, Hashable {
        /// 32 lower-case hex characters.
        package var id: String
        /// When the message was first sent.
        package var timestamp: Date
        /// The body as sent.
        package var body: MessageBody
        /// Deliveries so far, this one included (1 on the first).
        package var attempts: Int
        /// The trace of the invocation that sent it (see ``Message/trace``).
        package var trace: TraceContext?

        /// Creates the content of one delivered message.
        package init(id: String, timestamp: Date, body: MessageBody, attempts: Int, trace: TraceContext? = nil) {
            self.id = id
            self.timestamp = timestamp
            self.body = body
            self.attempts = attempts
            self.trace = trace
        }
    }

    private let content: Content
    private let index: Int
    private let ledger: MessageBatchLedger

    init(content: Content, index: Int, ledger: MessageBatchLedger) {
        self.content = content
        self.index = index
        self.ledger = ledger
    }

    /// 32 lower-case hex characters, stable across retries and dead-lettering.
    public var id: String { content.id }
    /// When the message was first sent.
    public var timestamp: Date { content.timestamp }
    /// The body as sent.
    public var body: MessageBody { content.body }
    /// 1 on the first delivery, then one more per retry.
    public var attempts: Int { content.attempts }
    /// The trace of the invocation that sent the message — the request, batch or scheduled run
    /// whose handler (or `waitUntil` work) called `send` — as its `traceparent` described it: the
    /// same trace id, and the sender's span as ``TraceContext/spanID``. Kept through retries and
    /// dead-lettering; `nil` for a message sent outside any invocation (`drover queues send`, a
    /// fixture's `given.queues`) or stored before messages kept their trace.
    public var trace: TraceContext? { content.trace }

    /// Acknowledges the message: it is never delivered again, even if the handler then throws.
    public func ack() {
        ledger.decide(index, .ack)
    }

    /// Asks for the message to be delivered again after `delaySeconds` (default: the consumer's
    /// `retry_delay`).
    public func retry(delaySeconds: Int? = nil) {
        ledger.decide(index, .retry(delaySeconds: delaySeconds))
    }
}
