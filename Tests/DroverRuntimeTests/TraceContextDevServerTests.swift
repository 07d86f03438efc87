import Drover
import DroverTestSupport
import Foundation
import Synchronization
import Testing

/// W3C trace context through a real `drover dev` socket: continued or started per request, on
/// every log line of the request (its `waitUntil` work included), and carried by the queue
/// messages it sends to their consumer, through retries into the dead-letter queue.
@Suite struct TraceContextDevServerTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"
    static let incoming = "00-\(traceID)-\(parentID)-01"

    /// What the consumer saw of one message.
    struct Consumed: Sendable {
        var queue: String
        var body: String
        var attempts: Int
        var messageTraceID: String?
        var batchTraceID: String
    }

    final class Consumption: Sendable {
        private let seen = Mutex<[Consumed]>([])
        func add(_ item: Consumed) { seen.withLock { $0.append(item) } }
        var all: [Consumed] { seen.withLock { $0 } }
    }

    static func start() async throws -> (DevServerTests.Running, Consumption) {
        let project = try PlaygroundProject.make {
            $0.replacingOccurrences(of: #"main = "playground""#, with: #"main = "traced""#)
                .replacingOccurrences(of: "max_batch_size = 10", with: "max_batch_size = 1")
        }
        let consumption = Consumption()
        var registry = PlaygroundProject.registry
        registry.register(
            "traced",
            ClosureWorker(
                fetch: { request, env, ctx in
                    ctx.logger.info("handled \(request.path)")
                    let jobs = try env.queue("JOBS")
                    ctx.waitUntil {
                        ctx.logger.info("background \(request.path)")
                        try await jobs.send(.text("from-background"))
                    }
                    try await jobs.send(.text("job"))
                    return .json(ctx.trace.testJSON)
                },
                queue: { batch, _, ctx in
                    for message in batch.messages {
                        consumption.add(
                            Consumed(
                                queue: batch.queue,
                                body: message.body.text ?? "",
                                attempts: message.attempts,
                                messageTraceID: message.trace?.traceID,
                                batchTraceID: ctx.trace.traceID
                            )
                        )
                        if batch.queue == "jobs" { message.retry() } else { message.ack() }
                    }
                }
            )
        )
        return (try await DevServerTests.start(project, registry: registry), consumption)
    }

    @Test func aValidTraceparentIsContinuedOnEveryLogLineAndIntoTheQueueThroughRetriesAndTheDeadLetterQueue() async throws {
        let (running, consumption) = try await Self.start()
        let response = try await httpRequest(
            port: running.port,
            "GET",
            "/trace",
            headers: ["traceparent": Self.incoming, "tracestate": "congo=t61rcWkgMzE"]
        )
        #expect(response.status == 200)
        let answer = try response.json()
        #expect(answer["traceId"] == .string(Self.traceID))
        #expect(answer["parentId"] == .string(Self.parentID))
        #expect(answer["traceState"] == "congo=t61rcWkgMzE")
        let spanID = try #require(answer["spanId"]?.stringValue)
        #expect(spanID != Self.parentID)
        #expect(answer["traceparent"] == .string("00-\(Self.traceID)-\(spanID)-01"))

        // Two messages (the handler's and its waitUntil work's), each: jobs three times (max_retries = 2), then jobs-dlq.
        try await eventually("both messages in the dead-letter queue's consumer") {
            consumption.all.filter { $0.queue == "jobs-dlq" }.count == 2
        }
        let consumed = consumption.all
        #expect(consumed.count == 8)
        #expect(consumed.allSatisfy { $0.messageTraceID == Self.traceID }, "\(consumed)")
        #expect(consumed.filter { $0.queue == "jobs" && $0.body == "job" }.map(\.attempts) == [1, 2, 3])
        #expect(consumed.allSatisfy { $0.batchTraceID != Self.traceID }, "a batch runs under a trace of its own")
        #expect(Set(consumed.map(\.batchTraceID)).count == 8)

        try await eventually("the request's log lines") {
            running.logs.all.contains { $0.message.hasPrefix("GET /trace 200 OK") }
        }
        let lines = running.logs.all
        for prefix in ["handled /trace", "background /trace", "GET /trace 200 OK"] {
            let record = try #require(lines.first { $0.message.hasPrefix(prefix) }, "\(prefix)")
            #expect(record.metadata["trace_id"] == Self.traceID, "\(prefix)")
            #expect(record.metadata["span_id"] == spanID, "\(prefix)")
        }
        // The batches' own lines (`QUEUE jobs 0/1 (…)`) carry the batches' traces.
        let batchLines = lines.filter { $0.message.hasPrefix("QUEUE ") }
        #expect(!batchLines.isEmpty)
        #expect(batchLines.allSatisfy { Set(consumed.map(\.batchTraceID)).contains($0.metadata["trace_id"] ?? "") })
        await running.server.shutdown()
    }

    @Test func aMissingOrMalformedTraceparentStartsANewTraceAndDropsTracestate() async throws {
        let (running, _) = try await Self.start()
        var seen: Set<String> = []
        for header in [nil, Self.incoming.uppercased(), "00-\(Self.traceID)-0000000000000000-01", "ff" + Self.incoming.dropFirst(2)] {
            var headers = ["tracestate": "congo=t61rcWkgMzE"]
            if let header { headers["traceparent"] = header }
            let answer = try await httpRequest(port: running.port, "GET", "/trace", headers: headers).json()
            let traceID = try #require(answer["traceId"]?.stringValue)
            #expect(traceID != Self.traceID.uppercased() && traceID != Self.traceID, "\(header ?? "none")")
            #expect(answer["parentId"] == .null)
            #expect(answer["traceState"] == .null, "tracestate goes with an invalid traceparent")
            seen.insert(traceID)
        }
        #expect(seen.count == 4, "a new trace each time")
        await running.server.shutdown()
    }
}
