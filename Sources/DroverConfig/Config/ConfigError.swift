/// A configuration file, `.dev.vars` file, cron expression or secret store could not be used.
///
/// The house error shape: a private code behind static members, a message, and where it happened.
/// `description` is the one-line `FILE:LINE:COL: what is wrong` (or `FILE: what is wrong` without a position).
package struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    fileprivate enum Code: Sendable, Equatable {
        case unreadable, invalidTOML, wrongType, outOfRange, missingKey, duplicateBinding, deadLetterQueueIsItself
        case unknownEnvironment, invalidCron, invalidDevVars, invalidSecretName, secretStore
    }

    /// The kind of a ``ConfigError``, compared with `==` against the static members.
    package struct Kind: Sendable, Equatable, CustomStringConvertible {
        fileprivate let code: Code
        /// The file could not be read or written.
        package static let unreadable = Kind(code: .unreadable)
        /// The file is not valid TOML; ``ConfigError/underlying`` holds the ``TOMLError``.
        package static let invalidTOML = Kind(code: .invalidTOML)
        /// A key holds a value of the wrong type.
        package static let wrongType = Kind(code: .wrongType)
        /// A number is outside the range the platform allows.
        package static let outOfRange = Kind(code: .outOfRange)
        /// A required key is missing.
        package static let missingKey = Kind(code: .missingKey)
        /// Two bindings share a name.
        package static let duplicateBinding = Kind(code: .duplicateBinding)
        /// A queue consumer names its own queue as dead letter queue.
        package static let deadLetterQueueIsItself = Kind(code: .deadLetterQueueIsItself)
        /// `--env NAME` names no `[env.NAME]` table.
        package static let unknownEnvironment = Kind(code: .unknownEnvironment)
        /// A cron expression is malformed.
        package static let invalidCron = Kind(code: .invalidCron)
        /// A `.dev.vars` file is malformed.
        package static let invalidDevVars = Kind(code: .invalidDevVars)
        /// A secret name is not `[A-Za-z_][A-Za-z0-9_]*`.
        package static let invalidSecretName = Kind(code: .invalidSecretName)
        /// The secret store file is corrupt.
        package static let secretStore = Kind(code: .secretStore)

        /// The code's name, for debugging.
        package var description: String { "\(code)" }
    }

    /// What went wrong, as a category.
    package let kind: Kind
    /// What went wrong, for a person; never contains a secret value.
    package let message: String
    /// The file the problem is in.
    package let file: String
    /// The 1-based line, or nil when the problem has no position (an unreadable file).
    package let line: Int?
    /// The 1-based column, or nil when the problem has no position.
    package let column: Int?
    /// The TOML error behind an ``Kind/invalidTOML`` error.
    package let underlying: TOMLError?

    /// Creates an error.
    /// - Parameters:
    ///   - kind: the category.
    ///   - message: a one-line explanation naming what the user can fix.
    ///   - file: the file.
    ///   - position: line and column, if known.
    ///   - underlying: the TOML error, for ``Kind/invalidTOML``.
    package init(_ kind: Kind, _ message: String, file: String, position: TOMLPosition? = nil, underlying: TOMLError? = nil) {
        self.kind = kind
        self.message = ConfigError.oneLine(message)
        self.file = file
        self.line = position?.line
        self.column = position?.column
        self.underlying = underlying
    }

    /// Escapes control characters (from quoted keys, say), so a message is always one line.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x7F: out += "\\u{\(String(c.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Wraps a TOML syntax error, keeping its position.
    init(_ error: TOMLError) {
        self.init(.invalidTOML, error.message, file: error.file, position: error.position, underlying: error)
    }

    /// `FILE:LINE:COL: message`, or `FILE: message` without a position.
    package var description: String {
        if let line, let column { return "\(file):\(line):\(column): \(message)" }
        return "\(file): \(message)"
    }
}
