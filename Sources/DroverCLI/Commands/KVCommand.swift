import Drover
import DroverConfig
import DroverKV
import Foundation

/// `drover kv ...`: the local KV namespaces, like wrangler's `kv` commands in local mode. Safe to
/// run while `drover dev` serves the same state directory.
enum KVCommand {
    static var specs: [CommandSpec] { [keyPut, keyGet, keyList, keyDelete, bulkGet, bulkPut, bulkDelete] }

    private static let bindingOption = OptionSpec.value("binding", "NAME", "The namespace's binding in the config", required: true)

    static let keyPut = CommandSpec(
        path: ["kv", "key", "put"],
        summary: "Write a value to a KV namespace",
        arguments: [ArgumentSpec(name: "KEY", help: "The key"), ArgumentSpec(name: "VALUE", help: "The value (or use --path)", optional: true)],
        options: Commands.configOptions + [
            bindingOption,
            .value("path", "FILE", "Read the value from FILE"),
            .value("ttl", "SECONDS", "Expire after SECONDS (at least 60)"),
            .value("expiration", "EPOCH", "Expire at EPOCH seconds (at least 60 s ahead)"),
            .value("metadata", "JSON", "Metadata to store with the key (at most 1024 bytes)"),
        ],
        run: { arguments, context in
            let key = arguments.positionals[0]
            let value: [UInt8]
            switch (arguments.positionals.count > 1 ? arguments.positionals[1] : nil, arguments.value("path")) {
            case (let text?, nil): value = Array(text.utf8)
            case (nil, let file?): value = Array(try Data(contentsOf: URL(fileURLWithPath: context.resolve(file))))
            default: throw UsageError("give exactly one of VALUE and --path FILE")
            }
            let options = try KVWranglerFormat.putOptions(
                ttl: arguments.value("ttl"),
                expiration: arguments.value("expiration"),
                metadata: arguments.value("metadata")
            )
            let namespace = try open(arguments, context)
            defer { namespace.close() }
            try await namespace.put(key, value: value, options: options)
            context.print(
                "Writing the value \"\(String(decoding: value.prefix(64), as: UTF8.self))\(value.count > 64 ? "…" : "")\" to key \"\(key)\" on binding \(arguments.value("binding")!)."
            )
            return DroverCommandLine.success
        }
    )

    static let keyGet = CommandSpec(
        path: ["kv", "key", "get"],
        summary: "Read a value from a KV namespace",
        arguments: [ArgumentSpec(name: "KEY", help: "The key")],
        options: Commands.configOptions + [bindingOption, .flag("text", "Decode the value as UTF-8 text")],
        run: { arguments, context in
            let namespace = try open(arguments, context)
            defer { namespace.close() }
            guard let entry = try await namespace.getWithMetadata(arguments.positionals[0]) else {
                context.printError("Value not found")
                return DroverCommandLine.failure
            }
            if arguments.flag("text") {
                context.print(entry.text)
            } else {
                // Raw bytes, as wrangler writes them.
                context.standardOutput.write(String(decoding: entry.value, as: UTF8.self))
            }
            return DroverCommandLine.success
        }
    )

    static let keyList = CommandSpec(
        path: ["kv", "key", "list"],
        summary: "List the keys of a KV namespace as JSON",
        options: Commands.configOptions + [bindingOption, .value("prefix", "PREFIX", "Only keys starting with PREFIX")],
        run: { arguments, context in
            let namespace = try open(arguments, context)
            defer { namespace.close() }
            context.print(KVWranglerFormat.listJSON(try namespace.listAll(prefix: arguments.value("prefix"))))
            return DroverCommandLine.success
        }
    )

    static let keyDelete = CommandSpec(
        path: ["kv", "key", "delete"],
        summary: "Delete a key from a KV namespace",
        arguments: [ArgumentSpec(name: "KEY", help: "The key")],
        options: Commands.configOptions + [bindingOption],
        run: { arguments, context in
            let namespace = try open(arguments, context)
            defer { namespace.close() }
            try await namespace.delete(arguments.positionals[0])
            context.print("Deleting the key \"\(arguments.positionals[0])\" on binding \(arguments.value("binding")!).")
            return DroverCommandLine.success
        }
    )

    static let bulkGet = CommandSpec(
        path: ["kv", "bulk", "get"],
        summary: "Read many keys listed in a JSON file ([\"key\", ...] or [{\"name\"}]) and print {\"key\": {\"value\"}} as JSON",
        arguments: [ArgumentSpec(name: "FILE", help: "The JSON file")],
        options: Commands.configOptions + [bindingOption],
        run: { arguments, context in
            let path = context.resolve(arguments.positionals[0])
            let keys = try KVBulkFile.parseGetKeys(Array(try Data(contentsOf: URL(fileURLWithPath: path))), fileName: arguments.positionals[0])
            let namespace = try open(arguments, context)
            defer { namespace.close() }
            context.print(KVWranglerFormat.bulkGetJSON(try namespace.bulkGetText(keys)))
            return DroverCommandLine.success
        }
    )

    static let bulkPut = CommandSpec(
        path: ["kv", "bulk", "put"],
        summary: "Write many keys from a JSON file ([{\"key\", \"value\", \"expiration\", \"expiration_ttl\", \"metadata\", \"base64\"}])",
        arguments: [ArgumentSpec(name: "FILE", help: "The JSON file")],
        options: Commands.configOptions + [bindingOption],
        run: { arguments, context in
            let path = context.resolve(arguments.positionals[0])
            let entries = try KVBulkFile.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))), fileName: arguments.positionals[0])
            let namespace = try open(arguments, context)
            defer { namespace.close() }
            try namespace.bulkPut(entries)
            context.print("Success! Wrote \(entries.count) key\(entries.count == 1 ? "" : "s").")
            return DroverCommandLine.success
        }
    )

    static let bulkDelete = CommandSpec(
        path: ["kv", "bulk", "delete"],
        summary: "Delete many keys listed in a JSON file ([\"key\", ...] or [{\"key\"}])",
        arguments: [ArgumentSpec(name: "FILE", help: "The JSON file")],
        options: Commands.configOptions + [bindingOption],
        run: { arguments, context in
            let path = context.resolve(arguments.positionals[0])
            let keys = try KVBulkFile.parseKeys(Array(try Data(contentsOf: URL(fileURLWithPath: path))), fileName: arguments.positionals[0])
            let namespace = try open(arguments, context)
            defer { namespace.close() }
            try namespace.bulkDelete(keys)
            context.print("Success! Deleted \(keys.count) key\(keys.count == 1 ? "" : "s").")
            return DroverCommandLine.success
        }
    )

    /// The namespace of `--binding`, opened on the state directory.
    private static func open(_ arguments: ParsedArguments, _ context: CLIContext) throws -> FileKVNamespace {
        let project = try Project.load(arguments, context: context)
        let binding = arguments.value("binding")!
        guard let entry = project.config.kvNamespaces.first(where: { $0.binding == binding }) else {
            let known = project.config.kvNamespaces.map(\.binding).joined(separator: ", ")
            throw CLIError("no KV namespace bound as \(binding) in \(project.config.configPath) (configured: \(known.isEmpty ? "none" : known))")
        }
        let directory = (project.stateDirectory as NSString).appendingPathComponent("kv/\(entry.id)")
        return try FileKVNamespace(directory: directory, clock: SystemWallClock(), logger: .disabled)
    }
}
