import Drover
import DroverConfig
import DroverD1
import Foundation

/// `drover d1 ...`: the local D1 databases, like wrangler's `d1` commands with `--local`.
enum D1Command {
    static var specs: [CommandSpec] { [execute, export, info, migrationsCreate, migrationsList, migrationsApply] }

    private static let databaseArgument = ArgumentSpec(name: "DATABASE", help: "The binding (DB) or database_name of a [[d1_databases]] entry")

    static let execute = CommandSpec(
        path: ["d1", "execute"],
        summary: "Run SQL against a local D1 database",
        arguments: [databaseArgument],
        options: Commands.configOptions + [
            .value("command", "SQL", "The SQL to run"),
            .value("file", "FILE", "A file of SQL to run"),
            .flag("json", "Print D1's JSON result array instead of tables"),
        ],
        run: { arguments, context in
            let sql: String
            switch (arguments.value("command"), arguments.value("file")) {
            case (let command?, nil): sql = command
            case (nil, let file?): sql = try String(contentsOfFile: context.resolve(file), encoding: .utf8)
            default: throw UsageError("give exactly one of --command SQL and --file FILE")
            }
            let project = try Project.load(arguments, context: context)
            let database = try open(arguments.positionals[0], project: project)
            defer { database.close() }
            let results = try await database.executeScript(sql)
            let rendered = arguments.flag("json") ? D1ResultTable.json(results) : D1ResultTable.render(results)
            context.print(rendered.hasSuffix("\n") ? String(rendered.dropLast()) : rendered)
            return DroverCommandLine.success
        }
    )

    static let export = CommandSpec(
        path: ["d1", "export"],
        summary: "Write a local D1 database as SQL",
        arguments: [databaseArgument],
        options: Commands.configOptions + [.value("output", "FILE", "Where to write the SQL", required: true)],
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let database = try open(arguments.positionals[0], project: project)
            defer { database.close() }
            let output = context.resolve(arguments.value("output")!)
            // Without BEGIN/COMMIT, as `wrangler d1 export` writes it, so `d1 execute --file` loads it back.
            try await database.sqlDump(inTransaction: false).write(toFile: output, atomically: true, encoding: .utf8)
            context.print("Exported \(arguments.positionals[0]) to \(output)")
            return DroverCommandLine.success
        }
    )

    static let info = CommandSpec(
        path: ["d1", "info"],
        summary: "Show a local D1 database's file, size and tables",
        arguments: [databaseArgument],
        options: Commands.configOptions + [.flag("json", "Print JSON")],
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let database = try open(arguments.positionals[0], project: project)
            defer { database.close() }
            let info = try await database.info()
            if arguments.flag("json") {
                context.print(
                    JSONSerializer.prettyString([
                        "path": .string(info.path), "size": .integer(Int64(info.sizeBytes)), "tables": .integer(Int64(info.tableCount)),
                    ])
                )
            } else {
                context.print("path:   \(info.path)\nsize:   \(info.sizeBytes) bytes\ntables: \(info.tableCount)")
            }
            return DroverCommandLine.success
        }
    )

    static let migrationsCreate = CommandSpec(
        path: ["d1", "migrations", "create"],
        summary: "Create the next numbered migration file",
        arguments: [databaseArgument, ArgumentSpec(name: "MESSAGE", help: "What the migration does (spaces become _)")],
        options: Commands.configOptions,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let entry = try binding(arguments.positionals[0], project: project)
            let directory = entry.migrationsPath
            let path = try D1Migrations.create(directory: directory, message: arguments.positionals[1], now: Date())
            context.print("Created \(path)")
            return DroverCommandLine.success
        }
    )

    static let migrationsList = CommandSpec(
        path: ["d1", "migrations", "list"],
        summary: "List migrations not yet applied",
        arguments: [databaseArgument],
        options: Commands.configOptions,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let entry = try binding(arguments.positionals[0], project: project)
            let database = try open(arguments.positionals[0], project: project)
            defer { database.close() }
            let pending = try await D1Migrations.list(
                database: database,
                directory: entry.migrationsPath,
                table: entry.migrationsTable
            )
            if pending.isEmpty {
                context.print("No migrations to apply.")
            } else {
                context.print("Migrations to be applied:")
                for name in pending { context.print("  \(name)") }
            }
            return DroverCommandLine.success
        }
    )

    static let migrationsApply = CommandSpec(
        path: ["d1", "migrations", "apply"],
        summary: "Apply pending migrations, each in its own transaction",
        arguments: [databaseArgument],
        options: Commands.configOptions,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let entry = try binding(arguments.positionals[0], project: project)
            let directory = entry.migrationsPath
            let database = try open(arguments.positionals[0], project: project)
            defer { database.close() }
            let pending = try await D1Migrations.list(database: database, directory: directory, table: entry.migrationsTable)
            guard !pending.isEmpty else {
                context.print("No migrations to apply.")
                return DroverCommandLine.success
            }
            context.print("Migrations to be applied:")
            for name in pending { context.print("  \(name)") }
            // Ask only when a person is there to answer (wrangler does the same).
            if context.standardInputIsTerminal && !arguments.flag("yes") {
                context.standardOutput.write("Apply \(pending.count) migration\(pending.count == 1 ? "" : "s")? [y/N] ")
                let answer = String(decoding: context.readStandardInput().prefix { $0 != 0x0A }, as: UTF8.self)
                guard answer.lowercased().hasPrefix("y") else {
                    context.print("Aborted.")
                    return DroverCommandLine.failure
                }
            }
            let applied = try await D1Migrations.apply(database: database, directory: directory, table: entry.migrationsTable)
            for name in applied { context.print("✔ \(name)") }
            return DroverCommandLine.success
        }
    )

    /// The `[[d1_databases]]` entry named by binding or database name.
    static func binding(_ name: String, project: Project) throws -> D1DatabaseConfig {
        guard let entry = project.config.d1Databases.first(where: { $0.binding == name || $0.databaseName == name }) else {
            let known = project.config.d1Databases.map(\.binding).joined(separator: ", ")
            throw CLIError("no D1 database \"\(name)\" in \(project.config.configPath) (configured: \(known.isEmpty ? "none" : known))")
        }
        return entry
    }

    /// Opens the database file of that entry under the state directory.
    static func open(_ name: String, project: Project) throws -> SQLiteD1Database {
        let entry = try binding(name, project: project)
        let path = SQLiteD1Database.path(stateDirectory: project.stateDirectory, databaseName: entry.databaseName)
        return try SQLiteD1Database(path: path, logger: .disabled, readers: 1)
    }
}
