/// Something in a configuration that is accepted but probably not what the user meant (an unknown key, a
/// binding that an environment does not inherit).
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// The explanation.
    public let message: String
    /// The file.
    public let file: String
    /// The 1-based line.
    public let line: Int
    /// The 1-based column.
    public let column: Int

    /// Creates a warning.
    public init(_ message: String, file: String, position: TOMLPosition) {
        self.message = ConfigError.oneLine(message)
        self.file = file
        self.line = position.line
        self.column = position.column
    }

    /// `FILE:LINE:COL: warning: message`.
    public var description: String { "\(file):\(line):\(column): warning: \(message)" }
}
