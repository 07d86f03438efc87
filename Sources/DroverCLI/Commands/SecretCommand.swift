import Drover
import DroverConfig
import Foundation

/// `drover secret put|bulk|list|delete`: secrets stored under the state directory (mode 0600).
/// `.dev.vars` wins over them, as in wrangler.
enum SecretCommand {
    static var specs: [CommandSpec] { [put, bulk, list, delete] }

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

    static let bulk = CommandSpec(
        path: ["secret", "bulk"],
        summary: "Store many secrets from a JSON object or a .env file (standard input without FILE)",
        arguments: [ArgumentSpec(name: "FILE", help: "{\"NAME\": \"value\", ...} or NAME=value lines; - for standard input", optional: true)],
        options: Commands.configOptions,
        discussion: """
            As wrangler secret bulk: a file whose first character (after spaces) is '{' is read as a JSON object of
            names to text values; anything else as a .env file (the syntax of .dev.vars). Every name is checked
            before anything is stored, and all are stored in one write. Values are never printed.
            """,
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            let file = arguments.positionals.first ?? "-"
            let bytes: [UInt8]
            if file == "-" {
                if context.standardInputIsTerminal { context.printError("Enter a JSON object or NAME=value lines, then Ctrl-D:") }
                bytes = context.readStandardInput()
            } else {
                let path = context.resolve(file)
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
                bytes = Array(data)
            }
            let secrets = try SecretBulkFile.parse(bytes, fileName: file == "-" ? "standard input" : file)
            guard !secrets.isEmpty else { throw CLIError("no secrets in \(file == "-" ? "standard input" : file)") }
            try SecretStore(stateDirectory: project.stateDirectory).putAll(secrets)
            let names = secrets.keys.sorted()
            context.print("Stored \(names.count) secret\(names.count == 1 ? "" : "s"): \(names.joined(separator: ", "))")
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

/// The input of `drover secret bulk`: a JSON object of names to text values, or dotenv lines
/// (https://developers.cloudflare.com/workers/wrangler/commands/#secret-bulk).
enum SecretBulkFile {
    /// Parses `bytes`.
    /// - Throws: ``CLIError`` naming the file and what is wrong (never a value), or the dotenv
    ///   parser's `FILE:LINE:COL` error.
    static func parse(_ bytes: [UInt8], fileName: String) throws -> [String: Secret] {
        let first = bytes.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        guard first == UInt8(ascii: "{") else { return try DevVars.parse(bytes, file: fileName) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw CLIError("\(fileName): not valid JSON: \(error)")
        }
        guard let object = value.objectValue else { throw CLIError("\(fileName): expected a JSON object of names to values") }
        var secrets: [String: Secret] = [:]
        for (name, member) in object {
            guard let text = member.stringValue else {
                throw CLIError("\(fileName): the value of \"\(name)\" must be a JSON string")
            }
            secrets[name] = Secret(text)
        }
        return secrets
    }
}
