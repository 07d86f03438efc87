/// A TOML document could not be parsed.
///
/// Follows the house error shape: a private code with static members (so cases can be added without
/// breaking callers), a message, and the location. `description` is the one-line `FILE:LINE:COL: message`.
package struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    fileprivate enum Code: Sendable, Equatable {
        case invalidEncoding
        case syntax
        case invalidValue
        case redefinition
        case nestingTooDeep
    }

    /// The kind of a ``TOMLError``, compared with `==` against the static members.
    package struct Kind: Sendable, Equatable {
        fileprivate let code: Code
        /// The input is not valid UTF-8 (TOML 1.0.0 §Spec: "A TOML file must be a valid UTF-8 encoded Unicode document").
        package static let invalidEncoding = Kind(code: .invalidEncoding)
        /// The bytes do not follow the TOML grammar.
        package static let syntax = Kind(code: .syntax)
        /// A value is well-formed but out of range (a date, an integer overflow, an invalid code point).
        package static let invalidValue = Kind(code: .invalidValue)
        /// A key or table is defined twice, or a frozen value (inline table, static array) is extended.
        package static let redefinition = Kind(code: .redefinition)
        /// Arrays, inline tables or tables nest deeper than ``TOMLParser/maximumDepth``.
        package static let nestingTooDeep = Kind(code: .nestingTooDeep)
    }

    /// What went wrong, as a category.
    package let kind: Kind
    /// What went wrong, for a person.
    package let message: String
    /// The file name given to the parser (`<stdin>` for standard input).
    package let file: String
    /// Where it went wrong.
    package let position: TOMLPosition

    /// Creates an error.
    /// - Parameters:
    ///   - kind: the category.
    ///   - message: a one-line explanation.
    ///   - file: the file name used in ``description``.
    ///   - position: line and column.
    package init(_ kind: Kind, _ message: String, file: String, position: TOMLPosition) {
        self.kind = kind
        self.message = message
        self.file = file
        self.position = position
    }

    /// The 1-based line.
    package var line: Int { position.line }
    /// The 1-based column.
    package var column: Int { position.column }

    /// `FILE:LINE:COL: message`.
    package var description: String { "\(file):\(position.line):\(position.column): \(message)" }
}
