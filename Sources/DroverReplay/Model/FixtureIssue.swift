/// One problem in a fixture file: `FILE: JSON.PATH: what is wrong`, or `FILE:LINE:COLUMN: what is wrong`
/// for JSON syntax errors.
package struct FixtureIssue: Sendable, Equatable, CustomStringConvertible {
    /// The fixture file as it was named to `drover replay`.
    package var file: String
    /// The JSON path of the offending value (`steps[2].request.method`); empty for the whole document.
    package var path: String
    /// 1-based line and column, for JSON syntax errors.
    package var position: (line: Int, column: Int)?
    /// What is wrong.
    package var message: String

    /// Creates an issue at a JSON path.
    package init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// Creates an issue at a position in the text (JSON syntax errors).
    package init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.path = ""
        self.position = (line, column)
        self.message = message
    }

    /// `FILE: PATH: message`, `FILE:LINE:COLUMN: message` or `FILE: message`.
    package var description: String {
        if let position { return "\(file):\(position.line):\(position.column): \(message)" }
        return path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)"
    }

    /// Issues are equal when they read the same.
    package static func == (lhs: FixtureIssue, rhs: FixtureIssue) -> Bool {
        lhs.description == rhs.description
    }
}
