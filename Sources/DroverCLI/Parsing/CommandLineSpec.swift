import Foundation

/// One command of the CLI: its words (`kv key put`), what it does, its flags and arguments.
struct CommandSpec: Sendable {
    /// The words after `drover` that select the command.
    var path: [String]
    /// One line for the command list.
    var summary: String
    /// Positional arguments, in order, for the usage line and for checking how many are given.
    var arguments: [ArgumentSpec] = []
    /// Flags, besides `--help`.
    var options: [OptionSpec] = []
    /// Text shown after the flags in `--help` (examples, notes).
    var discussion: String = ""
    /// Runs the command.
    var run: @Sendable (ParsedArguments, CLIContext) async throws -> Int32

    /// `drover kv key put`.
    var displayName: String { (["drover"] + path).joined(separator: " ") }

    /// The usage line: `drover kv key put KEY VALUE --binding NAME [options]`.
    var usageLine: String {
        var parts = [displayName]
        for argument in arguments {
            parts.append(argument.optional ? "[\(argument.name)]" : (argument.variadic ? "\(argument.name)..." : argument.name))
        }
        for option in options where option.required {
            parts.append("--\(option.name) \(option.valueName ?? "")".trimmingCharacters(in: .whitespaces))
        }
        if options.contains(where: { !$0.required }) { parts.append("[options]") }
        return parts.joined(separator: " ")
    }

    /// The whole `--help` text.
    var helpText: String {
        var lines = [summary, "", "Usage: \(usageLine)"]
        if !arguments.isEmpty {
            lines.append("")
            lines.append("Arguments:")
            for argument in arguments {
                lines.append(Self.row(argument.name, argument.help))
            }
        }
        lines.append("")
        lines.append("Options:")
        for option in options {
            lines.append(Self.row(option.label, option.help + (option.defaultDescription.map { " (default: \($0))" } ?? "")))
        }
        lines.append(Self.row("-h, --help", "Show this help"))
        if !discussion.isEmpty {
            lines.append("")
            lines.append(discussion)
        }
        return lines.joined(separator: "\n")
    }

    static func row(_ label: String, _ help: String) -> String {
        let padded = label.count < 26 ? label + String(repeating: " ", count: 26 - label.count) : label + "  "
        return "  " + padded + help
    }
}

/// A positional argument.
struct ArgumentSpec: Sendable {
    var name: String
    var help: String
    var optional = false
    var variadic = false
}

/// A `--flag` or `--option VALUE`, perhaps with a one-letter form (`-c FILE`, `-y`).
struct OptionSpec: Sendable {
    var name: String
    /// `nil` for a boolean flag.
    var valueName: String?
    var help: String
    var required = false
    var defaultDescription: String?
    /// The one-letter form, used with one dash.
    var short: Character?

    static func flag(_ name: String, short: Character? = nil, _ help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, help: help, short: short)
    }

    static func value(
        _ name: String,
        short: Character? = nil,
        _ valueName: String,
        _ help: String,
        required: Bool = false,
        default defaultValue: String? = nil
    ) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, help: help, required: required, defaultDescription: defaultValue, short: short)
    }

    /// `-c, --config FILE` as `--help` shows it.
    var label: String {
        (short.map { "-\($0), " } ?? "") + "--\(name)" + (valueName.map { " \($0)" } ?? "")
    }
}
