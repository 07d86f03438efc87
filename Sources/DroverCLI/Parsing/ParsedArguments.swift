/// The flags and arguments of one command line, checked against its ``CommandSpec``.
struct ParsedArguments: Sendable {
    /// Positional arguments, in order.
    var positionals: [String] = []
    /// Option values by name (without `--`); repeated options keep every value.
    var values: [String: [String]] = [:]
    /// Boolean flags given.
    var flags: Set<String> = []

    /// The last value of `--name`.
    func value(_ name: String) -> String? { values[name]?.last }

    /// Whether `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// `--name` as an integer.
    /// - Throws: ``UsageError`` naming the flag when it is not one.
    func integer(_ name: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else { throw UsageError("--\(name) expects an integer, got \"\(text)\"") }
        return number
    }

    /// Parses `arguments` (the words after the command's path) for `spec`.
    /// - Throws: ``UsageError`` for an unknown flag, a missing value, a missing or extra argument.
    static func parse(_ arguments: [String], for spec: CommandSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(word.drop(while: { $0 == "-" }))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            // One dash and one letter is a short form (`-c FILE`, `-e NAME`, `-y`), as in wrangler.
            let isShort = !word.hasPrefix("--") && name.count == 1
            let found = spec.options.first { isShort ? $0.short == name.first : $0.name == name }
            guard let option = found else {
                throw UsageError("unknown option '\(word.split(separator: "=").first.map(String.init) ?? word)' for '\(spec.displayName)'")
            }
            name = option.name
            if option.valueName == nil {
                guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
                parsed.flags.insert(name)
            } else if let inlineValue {
                parsed.values[name, default: []].append(inlineValue)
            } else {
                guard index < arguments.count else { throw UsageError("--\(name) needs a value (\(option.valueName!))") }
                parsed.values[name, default: []].append(arguments[index])
                index += 1
            }
        }
        for option in spec.options where option.required && parsed.values[option.name] == nil {
            throw UsageError("missing required option --\(option.name) \(option.valueName ?? "")")
        }
        let required = spec.arguments.filter { !$0.optional && !$0.variadic }.count
        let variadic = spec.arguments.contains { $0.variadic }
        if parsed.positionals.count < required {
            let missing = spec.arguments.filter { !$0.optional && !$0.variadic }[parsed.positionals.count]
            throw UsageError("missing argument \(missing.name)")
        }
        if !variadic && parsed.positionals.count > spec.arguments.count {
            throw UsageError("unexpected argument '\(parsed.positionals[spec.arguments.count])'")
        }
        return parsed
    }
}

/// A mistake in the command line: exit status 64 with the usage text.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
