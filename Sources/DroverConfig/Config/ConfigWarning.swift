/// Something in a configuration that is accepted but probably not what the user meant (an unknown key, a
/// binding that an environment does not inherit).
package struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The explanation.
    package let message: String
    /// The file.
    package let file: String
    /// The 1-based line.
    package let line: Int
    /// The 1-based column.
    package let column: Int

    /// Creates a warning.
    package init(_ message: String, file: String, position: TOMLPosition) {
        self.message = ConfigError.oneLine(message)
        self.file = file
        self.line = position.line
        self.column = position.column
    }

    /// `FILE:LINE:COL: warning: message`.
    package var description: String { "\(file):\(line):\(column): warning: \(message)" }
}
