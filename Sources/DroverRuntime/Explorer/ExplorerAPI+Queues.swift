import Drover
import DroverQueues

/// The API's queue routes: queues with their counts, sending, peeking, dead letters.
extension ExplorerAPI {
    static func queueNotFound(_ name: String) -> ExplorerRefusal {
        ExplorerRefusal(10104, "queue \(name) is not named by the config", status: 404)
    }

    /// Every queue the config names (producers, consumers, dead-letter queues).
    var configuredQueues: [String] {
        let queues = runtime.config.queues
        return Array(Set(queues.producers.map(\.queue) + queues.consumers.map(\.queue) + queues.consumers.compactMap(\.deadLetterQueue))).sorted()
    }

    func broker(_ queue: String) throws -> QueueBroker {
        guard configuredQueues.contains(queue) else { throw Self.queueNotFound(queue) }
        guard let broker = runtime.broker else { throw Self.queueNotFound(queue) }
        return broker
    }

    /// Cloudflare's queue objects, with Drover's counts under `local`.
    func queuesJSON() async throws -> [JSONValue] {
        guard let broker = runtime.broker else { return [] }
        let queues = runtime.config.queues
        let stats = try await broker.stats(including: configuredQueues)
        let paused = try await broker.pausedQueues()
        return stats.filter { configuredQueues.contains($0.queue) }.map { stat in
            let consumer = queues.consumers.first { $0.queue == stat.queue }
            var consumers: [JSONValue] = []
            if let consumer {
                var settings: JSONObject = [
                    "batch_size": .integer(Int64(consumer.maxBatchSize)), "max_retries": .integer(Int64(consumer.maxRetries)),
                    "max_wait_time_ms": .integer(Int64(consumer.maxBatchTimeout) * 1000),
                ]
                if let dlq = consumer.deadLetterQueue { settings["dead_letter_queue"] = .string(dlq) }
                consumers.append(["type": "worker", "script": .string(runtime.host.workerName), "settings": .object(settings)])
            }
            let producers: [JSONValue] = queues.producers.filter { $0.queue == stat.queue }.map {
                ["type": "worker", "script": .string(runtime.host.workerName), "binding": .string($0.binding)]
            }
            let deadLetterOf = queues.consumers.filter { $0.deadLetterQueue == stat.queue }.map(\.queue)
            return [
                "queue_id": .string(stat.queue), "queue_name": .string(stat.queue),
                "producers": .array(producers), "producers_total_count": .integer(Int64(producers.count)),
                "consumers": .array(consumers), "consumers_total_count": .integer(Int64(consumers.count)),
                "settings": ["delivery_paused": .bool(paused.contains(stat.queue))],
                "local": [
                    "pending": .integer(Int64(stat.ready)), "delayed": .integer(Int64(stat.delayed)),
                    "in_flight": .integer(Int64(stat.inFlight)), "dead_lettered": .integer(Int64(stat.deadLettered)),
                    "dropped": .integer(Int64(stat.dropped)), "dead_letter_queue_of": .array(deadLetterOf.map(JSONValue.string)),
                ],
            ]
        }
    }

    /// Sends `messages` (`{"body", "content_type", "delay_seconds"}` each) to `queue`, all or none.
    func send(_ queue: String, _ messages: [JSONValue], delaySeconds: Int? = nil) async throws {
        let broker = try broker(queue)
        var requests: [MessageSendRequest] = []
        for message in messages {
            guard let body = message["body"] else { throw ExplorerRefusal(10000, "a message needs a \"body\"") }
            let contentType = message["content_type"]?.stringValue ?? "json"
            let messageBody: MessageBody
            switch contentType {
            case "json": messageBody = .json(body)
            case "text":
                guard let text = body.stringValue else { throw ExplorerRefusal(10000, "a text message's body must be a string") }
                messageBody = .text(text)
            case "bytes":
                guard let text = body.stringValue, let bytes = Base64.decode(text) else {
                    throw ExplorerRefusal(10000, "a bytes message's body must be base64")
                }
                messageBody = .bytes(bytes)
            default: throw ExplorerRefusal(10000, "content_type must be json, text or bytes")
            }
            requests.append(
                MessageSendRequest(
                    body: messageBody,
                    delaySeconds: message["delay_seconds"]?.integerValue.flatMap { Int(exactly: $0) } ?? delaySeconds
                )
            )
        }
        try await Self.refusingInput { try await broker.producer(queue: queue).sendBatch(requests, delaySeconds: nil) }
    }

    /// A replay's edited body, `{"body", "content_type"}`; nil for an empty request (replay as it was).
    func editedBody(_ request: Request) async throws -> (MessageBody, QueueContentType)? {
        let bytes = try await request.bytes()
        guard !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return nil }
        let body = try Self.parseJSON(bytes)
        guard let value = body["body"] else { return nil }
        switch body["content_type"]?.stringValue ?? "json" {
        case "json": return (.json(value), .json)
        case "text":
            guard let text = value.stringValue else { throw ExplorerRefusal(10000, "a text message's body must be a string") }
            return (.text(text), .text)
        default: throw ExplorerRefusal(10000, "an edited body is json or text")
        }
    }

    static func messageJSON(_ message: QueuedMessage) -> JSONValue {
        var object: JSONObject = [
            "id": .string(message.id), "queue": .string(message.queue), "timestamp_ms": .integer(message.timestampMilliseconds),
            "content_type": .string(message.contentType.rawValue), "body": bodyJSON(message.body),
            "attempts": .integer(Int64(message.deliveries)), "next_delivery_ms": .integer(message.visibleAtMilliseconds),
            "in_flight": .bool(message.inFlight),
        ]
        if let from = message.deadLetteredFrom { object["dead_lettered_from"] = .string(from) }
        if let failure = message.lastError { object["last_error"] = .string(failure) }
        return .object(object)
    }

    static func deadLetterJSON(_ letter: DeadLetter) -> JSONValue {
        var object: JSONObject = [
            "id": .string(letter.id), "from": .string(letter.sourceQueue), "dead_letter_queue": .string(letter.deadLetterQueue),
            "timestamp_ms": .integer(letter.timestampMilliseconds), "content_type": .string(letter.contentType.rawValue),
            "body": bodyJSON(letter.body), "dead_letter_deliveries": .integer(Int64(letter.deliveries)), "in_flight": .bool(letter.inFlight),
        ]
        if let traceparent = letter.traceparent { object["traceparent"] = .string(traceparent) }
        if let failure = letter.lastError { object["last_error"] = .string(failure) }
        if let attempts = letter.failedDeliveries { object["attempts"] = .integer(Int64(attempts)) }
        return .object(object)
    }

    /// A body as JSON: JSON as itself, text as a string, bytes as base64.
    static func bodyJSON(_ body: MessageBody) -> JSONValue {
        switch body {
        case .json(let value): value
        case .text(let text): .string(text)
        case .bytes(let bytes): .string(Base64.encode(bytes))
        }
    }

    func deadLettersJSON() async throws -> [JSONValue] {
        guard let broker = runtime.broker else { return [] }
        var all: [JSONValue] = []
        for queue in Set(runtime.config.queues.consumers.compactMap(\.deadLetterQueue)).sorted() {
            all += try await broker.deadLetters(queue: queue).map(Self.deadLetterJSON)
        }
        return all
    }
}
