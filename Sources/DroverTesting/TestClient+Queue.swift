import Drover
import Foundation

/// What a worker's `queue()` decided for each message of a batch a test handed it.
public struct QueueBatchOutcome: Sendable, Equatable {
    /// One per message, in order: `.ack`, or `.retry(delaySeconds:)`; a message the handler left
    /// undecided counts as the runtime counts it (acknowledged when the handler returned, retried
    /// when it threw).
    public var decisions: [MessageDecision]
    /// Whether the handler threw.
    public var threw: Bool

    /// An outcome, to compare with.
    public init(decisions: [MessageDecision], threw: Bool) {
        self.decisions = decisions
        self.threw = threw
    }
}

extension TestClient {
    /// Hands the worker's `queue()` one batch of `bodies` on `queue`, as a consumer delivery would,
    /// and returns each message's decision — a unit test of a queue handler, without producing,
    /// draining or reading the queue's store:
    ///
    /// ```swift
    /// let outcome = await client.queue("emails", bodies: [.json(["to": "a@example.test"]), .text("not json")])
    /// #expect(outcome.decisions == [.ack, .retry(delaySeconds: 60)])
    /// ```
    ///
    /// - Parameters:
    ///   - queue: the batch's queue name (`batch.queue`).
    ///   - bodies: the messages' bodies, in order.
    ///   - attempts: each message's `attempts` (1: a first delivery).
    /// - Returns: the decisions and whether the handler threw; its `waitUntil` work has finished.
    public func queue(_ queue: String, bodies: [MessageBody], attempts: Int = 1) async -> QueueBatchOutcome {
        let now = clock.now()
        let messages = bodies.enumerated().map { index, body in
            Message.Content(id: Self.messageID(index), timestamp: now, body: body, attempts: attempts)
        }
        let batch = MessageBatch(queue: queue, messages: messages)
        let threw = await host.queue(batch) != nil
        return QueueBatchOutcome(decisions: batch.ledger.outcome(handlerThrew: threw), threw: threw)
    }

    /// 32 lower-case hex characters, as the platform's ids, numbered so a test can predict them.
    private static func messageID(_ index: Int) -> String {
        let digits = String(index + 1, radix: 16)
        return String(repeating: "0", count: 32 - digits.count) + digits
    }
}
