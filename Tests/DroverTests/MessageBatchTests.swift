import Foundation
import Testing

@testable import Drover

@Suite("MessageBatch")
struct MessageBatchTests {
    static func makeBatch(count: Int) -> MessageBatch {
        let contents = (0..<count).map { index in
            Message.Content(
                id: String(repeating: String(index), count: 32),
                timestamp: Date(timeIntervalSince1970: 1_700_000_000),
                body: .json(["n": .integer(Int64(index))]),
                attempts: 1
            )
        }
        return MessageBatch(queue: "jobs", messages: contents)
    }

    @Test("the first decision about a message wins")
    func firstDecisionWins() {
        let batch = Self.makeBatch(count: 2)
        batch.messages[0].ack()
        batch.messages[0].retry(delaySeconds: 5)
        batch.messages[1].retry(delaySeconds: 5)
        batch.messages[1].ack()
        #expect(batch.ledger.outcome(handlerThrew: false) == [.ack, .retry(delaySeconds: 5)])
        #expect(batch.ledger.outcome(handlerThrew: true) == [.ack, .retry(delaySeconds: 5)])
    }

    @Test("ackAll and retryAll decide only what is undecided")
    func allDecideUndecided() {
        let batch = Self.makeBatch(count: 3)
        batch.messages[1].retry()
        batch.ackAll()
        batch.retryAll(delaySeconds: 9)
        #expect(batch.ledger.outcome(handlerThrew: true) == [.ack, .retry(delaySeconds: nil), .ack])

        let other = Self.makeBatch(count: 2)
        other.messages[0].ack()
        other.retryAll(delaySeconds: 30)
        other.ackAll()
        #expect(other.ledger.outcome(handlerThrew: false) == [.ack, .retry(delaySeconds: 30)])
    }

    @Test("undecided messages: acknowledged when the handler returned, retried when it threw")
    func outcome() {
        let batch = Self.makeBatch(count: 3)
        batch.messages[2].retry(delaySeconds: 1)
        #expect(batch.ledger.outcome(handlerThrew: false) == [.ack, .ack, .retry(delaySeconds: 1)])
        #expect(
            batch.ledger.outcome(handlerThrew: true) == [.retry(delaySeconds: nil), .retry(delaySeconds: nil), .retry(delaySeconds: 1)]
        )
    }

    @Test("messages expose their content")
    func content() {
        let batch = Self.makeBatch(count: 2)
        #expect(batch.queue == "jobs")
        #expect(batch.messages.map(\.id) == [String(repeating: "0", count: 32), String(repeating: "1", count: 32)])
        #expect(batch.messages[1].body == .json(["n": 1]))
        #expect(batch.messages[0].attempts == 1)
        #expect(batch.messages[0].timestamp == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(Self.makeBatch(count: 0).ledger.outcome(handlerThrew: true) == [])
    }

    @Test("decisions from many tasks at once: exactly one per message")
    func concurrentDecisions() async {
        let batch = Self.makeBatch(count: 50)
        await withTaskGroup(of: Void.self) { group in
            for message in batch.messages {
                group.addTask { message.ack() }
                group.addTask { message.retry(delaySeconds: 1) }
            }
            group.addTask { batch.ackAll() }
        }
        let outcome = batch.ledger.outcome(handlerThrew: true)
        #expect(outcome.count == 50)
        #expect(outcome.allSatisfy { $0 == .ack || $0 == .retry(delaySeconds: 1) })
    }

    @Test("scheduled controller records noRetry")
    func scheduled() {
        let controller = ScheduledController(cron: "*/5 * * * *", scheduledTime: Date(timeIntervalSince1970: 0))
        #expect(!controller.noRetryRequested)
        controller.noRetry()
        #expect(controller.noRetryRequested)
        #expect(controller.cron == "*/5 * * * *")
    }
}
