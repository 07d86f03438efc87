/// Why fixture replay could not go on: a fixture that does not validate, a file that cannot be read
/// or written, a `${NAME}` placeholder that nothing resolves.
///
/// One struct wrapping a private code (Hummingbird's `PersistError` pattern), so codes can be added
/// without breaking callers that switch on them.
package struct ReplayError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    package struct Code: Sendable, Equatable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case invalidFixture
            case unreadableFile
            case unwritableFile
            case unresolvedSecret
            case missingPath
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The fixture does not follow the fixture format (Docs/fixtures.md); ``ReplayError/issues`` lists every problem.
        package static let invalidFixture = Code(.invalidFixture)
        /// A fixture file could not be read.
        package static let unreadableFile = Code(.unreadableFile)
        /// A fixture file could not be written (`--update`, `--record`).
        package static let unwritableFile = Code(.unwritableFile)
        /// A `${NAME}` placeholder in `secrets` is in neither `.dev.vars` nor the environment.
        package static let unresolvedSecret = Code(.unresolvedSecret)
        /// A path given to `drover replay` does not exist.
        package static let missingPath = Code(.missingPath)

        /// The code's name.
        package var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    package let code: Code
    /// The message for the user, naming the file (and JSON path) to fix.
    package let message: String
    /// For ``Code/invalidFixture``: every problem found, in document order.
    package let issues: [FixtureIssue]

    /// Creates an error.
    package init(code: Code, message: String, issues: [FixtureIssue] = []) {
        self.code = code
        self.message = message
        self.issues = issues
    }

    /// An invalid fixture, whose message lists `issues` one per line.
    package static func invalidFixture(_ issues: [FixtureIssue]) -> ReplayError {
        ReplayError(code: .invalidFixture, message: issues.map(\.description).joined(separator: "\n"), issues: issues)
    }

    /// The message.
    package var description: String { message }
}
