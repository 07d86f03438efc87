import DroverConfig
import Foundation

/// `drover secret put|list|delete`: secrets stored under the state directory (mode 0600).
/// `.dev.vars` wins over them, as in wrangler.
enum SecretCommand {
    static var specs: [CommandSpec] { [put, list, delete] }

    static let put = CommandSpec(
        path: ["secret", "put"],
        summary: "Store a secret; the value is read from standard input, never from the command line",
        arguments: [ArgumentSpec(name: "NAME", help: "The secret's binding name")],
        options: Commands.configOptions,
        discussion: "Example: printf %s \"$TOKEN\" | drover secret put API_TOKEN",
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let name = arguments.positionals[0]
            if context.standardInputIsTerminal { context.printError("Enter the value of \(name), then Ctrl-D:") }
            var value = String(decoding: context.readStandardInput(), as: UTF8.self)
            // A value piped with `echo` ends with one newline that is not part of it.
            if value.hasSuffix("\r\n") { value.removeLast(2) } else if value.hasSuffix("\n") { value.removeLast() }
            guard !value.isEmpty else { throw CLIError("no value on standard input for secret \(name)") }
            try SecretStore(stateDirectory: project.stateDirectory).put(name, Secret(value))
            context.print("Stored secret \(name)")
            return DroverCommandLine.success
        }
    )

    static let list = CommandSpec(
        path: ["secret", "list"],
        summary: "List stored secrets (names only)",
        options: Commands.configOptions + [.flag("json", "Print JSON")],
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let names = try SecretStore(stateDirectory: project.stateDirectory).list()
            if arguments.flag("json") {
                context.print("[" + names.map { "{\"name\":\"\($0)\",\"type\":\"secret_text\"}" }.joined(separator: ",") + "]")
            } else {
                for name in names { context.print(name) }
            }
            return DroverCommandLine.success
        }
    )

    static let delete = CommandSpec(
        path: ["secret", "delete"],
        summary: "Delete a stored secret",
        arguments: [ArgumentSpec(name: "NAME", help: "The secret's binding name")],
        options: Commands.configOptions,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let name = arguments.positionals[0]
            guard try SecretStore(stateDirectory: project.stateDirectory).delete(name) else {
                throw CLIError("no stored secret named \(name)")
            }
            context.print("Deleted secret \(name)")
            return DroverCommandLine.success
        }
    )
}
