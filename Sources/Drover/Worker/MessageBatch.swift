import Foundation
import Synchronization

/// A batch of queue messages handed to a worker's `queue` entry point.
///
/// Each message is acknowledged or retried at most once: the first decision wins and later calls
/// are ignored. ``ackAll()`` and ``retryAll(delaySeconds:)`` decide every message still undecided.
/// After the handler returns, undecided messages count as acknowledged; when it throws, as retried.
public struct MessageBatch: Sendable {
    /// The queue's name.
    public let queue: String
    /// The messages, in delivery order.
    public let messages: [Message]
    /// The decisions shared with the messages; the runtime reads them after the handler.
    package let ledger: MessageBatchLedger
    /// The batch's own trace (the handler's ``ExecutionContext/trace``), started by whoever
    /// delivers it; `nil` leaves it to the runtime. Each message keeps the trace it was sent
    /// under: ``Message/trace``.
    package let trace: TraceContext?

    /// Creates a batch of `messages` on `queue`; the runtime does this.
    package init(queue: String, messages: [Message.Content], trace: TraceContext? = nil) {
        let ledger = MessageBatchLedger(count: messages.count)
        self.queue = queue
        self.ledger = ledger
        self.trace = trace
        self.messages = messages.enumerated().map { Message(content: $0.element, index: $0.offset, ledger: ledger) }
    }

    /// Acknowledges every message not yet decided.
    public func ackAll() {
        ledger.decideAll(.ack)
    }

    /// Retries every message not yet decided, after `delaySeconds` (default: the consumer's `retry_delay`).
    public func retryAll(delaySeconds: Int? = nil) {
        ledger.decideAll(.retry(delaySeconds: delaySeconds))
    }
}

/// One queue message as a consumer sees it.
public struct Message: Sendable {
    /// What the runtime stores of a message.
    public struct Content: Sendable, Hashable {
        /// 32 lower-case hex characters.
        public var id: String
        /// When the message was first sent.
        public var timestamp: Date
        /// The body as sent.
        public var body: MessageBody
        /// Deliveries so far, this one included (1 on the first).
        public var attempts: Int
        /// The trace of the invocation that sent it (see ``Message/trace``).
        public var trace: TraceContext?

        /// Creates the content of one delivered message.
        public init(id: String, timestamp: Date, body: MessageBody, attempts: Int, trace: TraceContext? = nil) {
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

    fileprivate init(content: Content, index: Int, ledger: MessageBatchLedger) {
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

/// What happens to one message of a batch.
public enum MessageDecision: Sendable, Hashable {
    case ack
    case retry(delaySeconds: Int?)
}

/// The decisions of one batch, shared by its messages. Lock-guarded: handlers may ack from
/// several tasks at once.
package final class MessageBatchLedger: Sendable {
    private let decisions: Mutex<[MessageDecision?]>

    init(count: Int) {
        decisions = Mutex(Array(repeating: nil, count: count))
    }

    func decide(_ index: Int, _ decision: MessageDecision) {
        decisions.withLock { if $0[index] == nil { $0[index] = decision } }
    }

    func decideAll(_ decision: MessageDecision) {
        decisions.withLock { all in
            for index in all.indices where all[index] == nil { all[index] = decision }
        }
    }

    /// The final decisions once the handler has finished: undecided messages become `ack` when it
    /// returned and `retry` when it threw.
    package func outcome(handlerThrew: Bool) -> [MessageDecision] {
        decisions.withLock { all in
            all.map { $0 ?? (handlerThrew ? .retry(delaySeconds: nil) : .ack) }
        }
    }
}

/// The argument of a worker's `scheduled` entry point.
public struct ScheduledController: Sendable {
    /// The cron expression that fired, as written in the config.
    public let cron: String
    /// When the run was scheduled (the clock's now in replay).
    public let scheduledTime: Date
    private let noRetryFlag: ScheduledNoRetryFlag

    /// Creates a controller; the runtime does this.
    public init(cron: String, scheduledTime: Date) {
        self.cron = cron
        self.scheduledTime = scheduledTime
        self.noRetryFlag = ScheduledNoRetryFlag()
    }

    /// Asks the runtime not to retry this run if it fails.
    public func noRetry() {
        noRetryFlag.set()
    }

    /// Whether ``noRetry()`` was called.
    package var noRetryRequested: Bool { noRetryFlag.isSet }
}

private final class ScheduledNoRetryFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
