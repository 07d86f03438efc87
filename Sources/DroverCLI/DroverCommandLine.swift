import Drover
import Foundation

/// Drover's command-line entry point.
///
/// The `drover` binary calls ``main(registry:)`` with its workers; a user's own executable does
/// the same with theirs, so it is a full `drover` with their workers inside (the way
/// swift-aws-lambda-runtime hands control to its runtime).
public enum DroverCommandLine {
    /// Exit status for success.
    public static let success: Int32 = 0
    /// Exit status for a failure.
    public static let failure: Int32 = 1
    /// Exit status for a usage error (sysexits `EX_USAGE`).
    public static let usage: Int32 = 64

    /// Runs the command line of this process and exits with its status.
    public static func main(registry: WorkerRegistry) async -> Never {
        let status = await run(Array(CommandLine.arguments.dropFirst()), context: .standard(registry: registry))
        StandardErrorLogSink.flush()
        exit(status)
    }

    /// Runs one command line (without the program name) and returns its exit status.
    public static func run(_ arguments: [String], context: CLIContext) async -> Int32 {
        let commands = Commands.all
        if arguments.isEmpty || arguments == ["--help"] || arguments == ["-h"] || arguments == ["help"] {
            context.print(topLevelHelp(commands))
            return arguments.isEmpty ? usage : success
        }
        if arguments == ["--version"] || arguments == ["version"] {
            context.print("drover \(Commands.version)")
            return success
        }
        // The longest command path that prefixes the arguments wins.
        let match =
            commands
            .filter { arguments.starts(with: $0.path) }
            .max { $0.path.count < $1.path.count }
        guard let command = match else {
            return unknownCommand(arguments, commands: commands, context: context)
        }
        let rest = Array(arguments.dropFirst(command.path.count))
        if rest.contains("--help") || rest.contains("-h") {
            context.print(command.helpText)
            return success
        }
        do {
            let parsed = try ParsedArguments.parse(rest, for: command)
            if parsed.flag("remote") { throw Commands.noRemote }
            return try await command.run(parsed, context)
        } catch let error as UsageError {
            context.printError("error: \(error.message)")
            context.printError("Usage: \(command.usageLine)")
            context.printError("Run '\(command.displayName) --help' for more.")
            return usage
        } catch {
            context.printError("error: \(error)")
            return failure
        }
    }

    private static func unknownCommand(_ arguments: [String], commands: [CommandSpec], context: CLIContext) -> Int32 {
        let words = Array(arguments.prefix { !$0.hasPrefix("-") })
        let wantsHelp = arguments.contains("--help") || arguments.contains("-h")
        // A group (`kv`, `kv key`) without a leaf: list the commands under it.
        let group = commands.filter { $0.path.count > words.count && $0.path.starts(with: words) }
        guard !words.isEmpty, !group.isEmpty else {
            context.printError("error: unknown command '\(words.joined(separator: " "))'")
            context.printError("Run 'drover --help' for the list of commands.")
            return usage
        }
        let sink = wantsHelp ? context.standardOutput : context.standardError
        sink.write("Commands under 'drover \(words.joined(separator: " "))':\n")
        for command in group { sink.write(CommandSpec.row(command.path.joined(separator: " "), command.summary) + "\n") }
        return wantsHelp ? success : usage
    }

    static func topLevelHelp(_ commands: [CommandSpec]) -> String {
        var lines = [
            "drover \(Commands.version) — a local runtime for edge-style request handlers",
            "",
            "Usage: drover COMMAND [options]",
            "",
            "Commands:",
        ]
        for command in commands {
            lines.append(CommandSpec.row(command.path.joined(separator: " "), command.summary))
        }
        lines.append("")
        lines.append("Run 'drover COMMAND --help' for a command's options.")
        return lines.joined(separator: "\n")
    }
}
