import Drover
import DroverConfig
import DroverQueues
import Foundation

/// `drover queues ...`: the durable queues of the state directory. Safe while `drover dev` runs.
enum QueuesCommand {
    static var specs: [CommandSpec] { [list, send, dlqList, dlqReplay] }

    static let list = CommandSpec(
        path: ["queues", "list"],
        summary: "Show each queue's pending, delayed, in-flight and dead-lettered messages",
        options: Commands.configOptions + [.flag("json", "Print JSON")],
        run: { arguments, context in
            try await withBroker(arguments, context) { project, broker in
                let stats = try await broker.stats(including: configuredQueues(project.config))
                if arguments.flag("json") {
                    context.print(
                        JSONSerializer.prettyString(
                            .array(
                                stats.map { stat in
                                    [
                                        "queue": .string(stat.queue), "pending": .integer(Int64(stat.ready)),
                                        "delayed": .integer(Int64(stat.delayed)),
                                        "inFlight": .integer(Int64(stat.inFlight)), "deadLettered": .integer(Int64(stat.deadLettered)),
                                        "dropped": .integer(Int64(stat.dropped)),
                                    ]
                                }
                            )
                        )
                    )
                } else {
                    var rows = [["queue", "pending", "delayed", "in flight", "dead-lettered", "dropped"]]
                    for stat in stats {
                        rows.append([stat.queue, "\(stat.ready)", "\(stat.delayed)", "\(stat.inFlight)", "\(stat.deadLettered)", "\(stat.dropped)"])
                    }
                    context.print(TextTable.render(rows))
                }
                return DroverCommandLine.success
            }
        }
    )

    static let send = CommandSpec(
        path: ["queues", "send"],
        summary: "Send one message to a queue (JSON if BODY parses as JSON, else text)",
        arguments: [ArgumentSpec(name: "QUEUE", help: "The queue name or producer binding"), ArgumentSpec(name: "BODY", help: "The message body")],
        options: Commands.configOptions + [.value("delay", "SECONDS", "Deliver no sooner than SECONDS from now")],
        run: { arguments, context in
            try await withBroker(arguments, context) { project, broker in
                let queue = queueName(arguments.positionals[0], project.config)
                let text = arguments.positionals[1]
                let body: MessageBody = (try? JSONParser.parse(text)).map(MessageBody.json) ?? .text(text)
                try await broker.producer(queue: queue).send(MessageSendRequest(body: body, delaySeconds: try arguments.integer("delay")))
                context.print("Sent to \(queue).")
                return DroverCommandLine.success
            }
        }
    )

    static let dlqList = CommandSpec(
        path: ["queues", "dlq", "list"],
        summary: "List the messages a dead-letter queue holds",
        arguments: [ArgumentSpec(name: "QUEUE", help: "The dead-letter queue")],
        options: Commands.configOptions + [.flag("json", "Print JSON")],
        run: { arguments, context in
            try await withBroker(arguments, context) { project, broker in
                let letters = try await broker.deadLetters(queue: queueName(arguments.positionals[0], project.config))
                let rendered: [JSONValue] = letters.map { letter in
                    var object: JSONObject = [
                        "id": .string(letter.id), "from": .string(letter.sourceQueue),
                        "timestamp": .integer(letter.timestampMilliseconds), "contentType": .string(letter.contentType.rawValue),
                        "body": bodyJSON(letter.body),
                    ]
                    // Only when the message was sent during a traced invocation: older shapes stay as they were.
                    if let traceparent = letter.traceparent { object["traceparent"] = .string(traceparent) }
                    return .object(object)
                }
                if arguments.flag("json") {
                    context.print(JSONSerializer.prettyString(.array(rendered)))
                } else if letters.isEmpty {
                    context.print("No dead letters in \(arguments.positionals[0]).")
                } else {
                    var rows = [["id", "from", "body"]]
                    for (letter, json) in zip(letters, rendered) {
                        rows.append([letter.id, letter.sourceQueue, JSONSerializer.string(json["body"] ?? .null)])
                    }
                    context.print(TextTable.render(rows))
                }
                return DroverCommandLine.success
            }
        }
    )

    static let dlqReplay = CommandSpec(
        path: ["queues", "dlq", "replay"],
        summary: "Move a dead-letter queue's messages back to the queues they came from",
        arguments: [ArgumentSpec(name: "QUEUE", help: "The dead-letter queue")],
        options: Commands.configOptions,
        run: { arguments, context in
            try await withBroker(arguments, context) { project, broker in
                let count = try await broker.replayDeadLetters(queue: queueName(arguments.positionals[0], project.config))
                context.print("Replayed \(count) message\(count == 1 ? "" : "s").")
                return DroverCommandLine.success
            }
        }
    )

    /// Runs `body` with the state directory's queues open, and closes them after.
    private static func withBroker(
        _ arguments: ParsedArguments,
        _ context: CLIContext,
        _ body: (Project, QueueBroker) async throws -> Int32
    ) async throws -> Int32 {
        let project = try Project.load(arguments, context: context)
        let broker = try QueueBroker(
            directory: (project.stateDirectory as NSString).appendingPathComponent("queues"),
            clock: SystemWallClock(),
            logger: .disabled
        )
        do {
            let status = try await body(project, broker)
            await broker.shutdown()
            return status
        } catch {
            await broker.shutdown()
            throw error
        }
    }

    /// Every queue the config names: producers, consumers and dead-letter queues.
    private static func configuredQueues(_ config: DroverConfig) -> [String] {
        var names = config.queues.producers.map(\.queue) + config.queues.consumers.map(\.queue)
        names += config.queues.consumers.compactMap(\.deadLetterQueue)
        return Array(Set(names)).sorted()
    }

    /// A producer binding's queue, or the name itself.
    private static func queueName(_ name: String, _ config: DroverConfig) -> String {
        config.queues.producers.first { $0.binding == name }?.queue ?? name
    }

    private static func bodyJSON(_ body: MessageBody) -> JSONValue {
        switch body {
        case .json(let value): value
        case .text(let text): .string(text)
        case .bytes(let bytes): .string(Data(bytes).base64EncodedString())
        }
    }
}

/// A plain text table with aligned columns.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            row.enumerated().map { index, cell in cell + String(repeating: " ", count: widths[index] - cell.count) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
