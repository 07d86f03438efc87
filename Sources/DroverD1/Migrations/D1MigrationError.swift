/// Why a migration command failed: the folder or a file could not be read or written, a name is
/// unusable, or a migration's SQL failed (with the file and SQLite's message).
package struct D1MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case fileSystem
        case invalidName
        case migrationFailed
    }

    private let code: Code
    /// What went wrong, naming the folder or file.
    package let message: String
    /// The migration file that failed, relative to the migrations folder.
    package let file: String?

    private init(_ code: Code, _ message: String, file: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
    }

    /// The folder or a file could not be read or written.
    package static func fileSystem(_ message: String) -> D1MigrationError { .init(.fileSystem, message) }
    /// The migration name is empty or not usable as a file name.
    package static func invalidName(_ message: String) -> D1MigrationError { .init(.invalidName, message) }
    /// A migration's SQL failed; it was rolled back and later migrations were not applied.
    package static func migrationFailed(file: String, message: String) -> D1MigrationError {
        .init(.migrationFailed, "Migration \(file) failed: \(message)", file: file)
    }

    /// Whether this is the same kind of failure as `other` (for `catch` patterns and tests).
    package func isKind(of other: D1MigrationError) -> Bool { code == other.code }

    package var description: String { message }
}
