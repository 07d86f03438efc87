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
