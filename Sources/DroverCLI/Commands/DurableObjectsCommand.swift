import Drover
import DroverConfig
import DroverDurableObjects
import Foundation

/// `drover do ...`: the Durable Objects of the state directory — which objects each namespace has,
/// and SQL against one object's storage. Safe while `drover dev` runs: the object's file is opened
/// beside the server's connection (SQLite keeps them consistent), and no class code runs.
enum DurableObjectsCommand {
    static var specs: [CommandSpec] { [list, sql] }

    private static let bindingArgument = ArgumentSpec(name: "BINDING", help: "The [[durable_objects.bindings]] name (COUNTER)")

    static let list = CommandSpec(
        path: ["do", "list"],
        summary: "List the Durable Objects of a namespace (or of all): id, name, alarm, file",
        arguments: [ArgumentSpec(name: "BINDING", help: "The [[durable_objects.bindings]] name; all when left out", optional: true)],
        options: Commands.configOptions + [.flag("json", "Print JSON")],
        run: { arguments, context in
            try await withHost(arguments, context) { host in
                let bindings = arguments.positionals.first.map { [$0] } ?? host.bindingNames
                var objects: [DurableObjectsHost.ObjectSummary] = []
                for binding in bindings { objects += try host.objects(binding: binding) }
                if arguments.flag("json") {
                    context.print(
                        JSONSerializer.prettyString(
                            .array(
                                objects.map { object in
                                    [
                                        "binding": .string(object.binding), "class": .string(object.className), "id": .string(object.id),
                                        "name": object.name.map(JSONValue.string) ?? .null,
                                        "alarm": object.alarm.map(JSONValue.integer) ?? .null, "file": .string(object.path),
                                    ]
                                })))
                } else if objects.isEmpty {
                    context.print("No Durable Objects in \(bindings.joined(separator: ", ")) yet.")
                } else {
                    var rows = [["binding", "id", "name", "alarm"]]
                    for object in objects {
                        rows.append([
                            object.binding, object.id, object.name ?? "-",
                            object.alarm.map { TriggersCommand.timestamp(Date(timeIntervalSince1970: Double($0) / 1000)) } ?? "-",
                        ])
                    }
                    context.print(TextTable.render(rows))
                }
                return DroverCommandLine.success
            }
        }
    )

    static let sql = CommandSpec(
        path: ["do", "sql"],
        summary: "Run SQL against one Durable Object's storage (ctx.storage.sql.exec)",
        arguments: [
            bindingArgument,
            ArgumentSpec(name: "OBJECT", help: "The object's name (idFromName) or its 64-hex id"),
            ArgumentSpec(name: "SQL", help: "The SQL; the last statement's rows are printed"),
        ],
        options: Commands.configOptions + [.flag("json", "Print the rows as JSON")],
        run: { arguments, context in
            try await withHost(arguments, context) { host in
                let cursor = try host.withStorageFile(binding: arguments.positionals[0], object: arguments.positionals[1]) { storage in
                    try storage.sql.exec(arguments.positionals[2])
                }
                if arguments.flag("json") {
                    context.print(JSONSerializer.prettyString(.array(cursor.rows.map(\.jsonValue))))
                } else if cursor.columnNames.isEmpty {
                    context.print("OK (\(cursor.rowsWritten) row\(cursor.rowsWritten == 1 ? "" : "s") written)")
                } else {
                    var rows = [cursor.columnNames]
                    for row in cursor.rows { rows.append(row.values.map { JSONSerializer.string($0.jsonValue) }) }
                    context.print(TextTable.render(rows))
                }
                return DroverCommandLine.success
            }
        }
    )

    /// Runs `body` with the config's Durable Objects open (no alarm fires, no object is built).
    private static func withHost(
        _ arguments: ParsedArguments,
        _ context: CLIContext,
        _ body: (DurableObjectsHost) async throws -> Int32
    ) async throws -> Int32 {
        let project = try Project.load(arguments, context: context)
        guard !project.config.durableObjects.isEmpty else {
            throw CLIError("\(project.config.configPath) binds no Durable Objects ([[durable_objects.bindings]])")
        }
        let host = try DurableObjectsHost(
            config: project.config, registry: context.registry, stateDirectory: project.stateDirectory, clock: SystemWallClock(),
            logger: .disabled)
        do {
            let status = try await body(host)
            await host.shutdown()
            return status
        } catch {
            await host.shutdown()
            throw error
        }
    }
}
