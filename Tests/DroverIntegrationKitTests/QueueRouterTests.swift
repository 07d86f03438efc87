import Drover
import DroverIntegrationKit
import Foundation
import Synchronization
import Testing

/// Batches go to the consumer of their queue, dead-letter queues included; unknown queues go to
/// the fallback or throw so the batch is retried.
@Suite("Queue router")
struct QueueRouterTests {
    /// Outbound fetch is never called by these consumers.
    private struct NoFetch: Fetcher {
        func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
            throw FetchError(kind: .connection, message: "no network in queue router tests")
        }
    }

    /// Which consumer saw which batch, in order.
    private final class Deliveries: Sendable {
        private let seen = Mutex<[String]>([])
        func record(_ entry: String) { seen.withLock { $0.append(entry) } }
        var entries: [String] { seen.withLock { $0 } }
    }

    private struct ConsumerFailed: Error {}

    static func makeBatch(queue: String, bodies: [String]) -> MessageBatch {
        MessageBatch(
            queue: queue,
            messages: bodies.enumerated().map { index, body in
                Message.Content(
                    id: String(repeating: "0", count: 31) + String(index),
                    timestamp: Date(timeIntervalSince1970: 1_700_000_000),
                    body: .text(body),
                    attempts: 1
                )
            }
        )
    }

    static func makeEnv() -> Env {
        Env(fetch: NoFetch(), clock: ManualWallClock(Date(timeIntervalSince1970: 1_700_000_000)))
    }

    static func run(_ router: QueueRouter, _ batch: MessageBatch) async throws {
        try await router.queue(batch, env: makeEnv(), ctx: ExecutionContext(logger: .disabled))
    }

    private static func router(_ deliveries: Deliveries) -> QueueRouter {
        var router = QueueRouter()
        router.on("orders") { batch, _, _ in
            deliveries.record("orders:" + batch.messages.compactMap(\.body.text).joined(separator: ","))
            batch.ackAll()
        }
        router.on("orders-dlq") { batch, _, _ in
            deliveries.record("dlq:\(batch.queue):\(batch.messages.count)")
        }
        router.on("emails") { batch, _, _ in
            batch.messages[0].ack()
            throw ConsumerFailed()
        }
        return router
    }

    @Test("each batch goes to the consumer registered for its queue, a dead-letter queue like any other")
    func dispatchByQueueName() async throws {
        let deliveries = Deliveries()
        let router = Self.router(deliveries)
        let orders = Self.makeBatch(queue: "orders", bodies: ["a", "b"])
        try await Self.run(router, orders)
        try await Self.run(router, Self.makeBatch(queue: "orders-dlq", bodies: ["x", "y", "z"]))
        #expect(deliveries.entries == ["orders:a,b", "dlq:orders-dlq:3"])
        #expect(orders.ledger.outcome(handlerThrew: false) == [.ack, .ack])
        #expect(router.queues == ["orders", "orders-dlq", "emails"])
    }

    @Test("what a consumer throws propagates; what it acked first stays acked")
    func consumerErrorsPropagate() async throws {
        let router = Self.router(Deliveries())
        let emails = Self.makeBatch(queue: "emails", bodies: ["1", "2"])
        await #expect(throws: ConsumerFailed.self) { try await Self.run(router, emails) }
        #expect(emails.ledger.outcome(handlerThrew: true) == [.ack, .retry(delaySeconds: nil)])
    }

    @Test("an unknown queue throws a clear error by default, so every message is retried")
    func unknownQueueThrows() async throws {
        let deliveries = Deliveries()
        let router = Self.router(deliveries)
        let batch = Self.makeBatch(queue: "Orders", bodies: ["a"])
        let expected = QueueRouterError.noConsumer(queue: "Orders", registered: ["orders", "orders-dlq", "emails"])
        await #expect(throws: expected) { try await Self.run(router, batch) }
        #expect(
            expected.message == #"no consumer for queue "Orders" (this router consumes "orders", "orders-dlq", "emails"): "#
                + #"its messages are retried; register one with on("Orders") or set a fallback"#
        )
        #expect(batch.ledger.outcome(handlerThrew: true) == [.retry(delaySeconds: nil)])
        #expect(deliveries.entries.isEmpty)
        await #expect(throws: QueueRouterError.noConsumer(queue: "x", registered: [])) {
            try await Self.run(QueueRouter(), Self.makeBatch(queue: "x", bodies: []))
        }
    }

    @Test("a fallback takes the batches of unknown queues; registered queues keep their consumers")
    func fallback() async throws {
        let deliveries = Deliveries()
        var router = Self.router(deliveries)
        router.fallback { batch, _, _ in
            deliveries.record("fallback:\(batch.queue)")
            batch.retryAll(delaySeconds: 30)
        }
        let unknown = Self.makeBatch(queue: "audit", bodies: ["a"])
        try await Self.run(router, unknown)
        try await Self.run(router, Self.makeBatch(queue: "orders", bodies: ["b"]))
        #expect(deliveries.entries == ["fallback:audit", "orders:b"])
        #expect(unknown.ledger.outcome(handlerThrew: false) == [.retry(delaySeconds: 30)])
    }

    @Test("for one queue name the first registration wins")
    func firstRegistrationWins() async throws {
        let deliveries = Deliveries()
        var router = QueueRouter()
        router.on("jobs") { _, _, _ in deliveries.record("first") }
        router.on("jobs") { _, _, _ in deliveries.record("second") }
        try await Self.run(router, Self.makeBatch(queue: "jobs", bodies: ["a"]))
        #expect(deliveries.entries == ["first"])
        #expect(router.queues == ["jobs"])
    }

    @Test("a worker's queue entry point is one line")
    func workerDelegates() async throws {
        struct OrdersWorker: Worker {
            let queues: QueueRouter
            func queue(_ batch: MessageBatch, env: Env, ctx: ExecutionContext) async throws {
                try await queues.queue(batch, env: env, ctx: ctx)
            }
        }
        let deliveries = Deliveries()
        let worker = OrdersWorker(queues: Self.router(deliveries))
        try await worker.queue(Self.makeBatch(queue: "orders", bodies: ["w"]), env: Self.makeEnv(), ctx: ExecutionContext(logger: .disabled))
        #expect(deliveries.entries == ["orders:w"])
    }
}
