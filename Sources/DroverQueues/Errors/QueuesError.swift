/// An error of the queue runtime itself: the store on disk, consumer settings, the CLI's requests.
///
/// Errors a handler sees from `send`/`sendBatch` are ``Drover/QueueError``s with the platform's
/// wording; this type is for what the runtime and the CLI report. Cases are static members, so
/// new ones can be added without breaking callers.
package struct QueuesError: Error, Sendable, CustomStringConvertible, Equatable {
    private enum Code: Sendable, Equatable {
        case storage
        case invalidSettings
        case unknownQueue
    }

    private let code: Code
    /// What went wrong, naming what the user can fix.
    package let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The SQLite store under `<state>/queues/` failed (open, read or write).
    package static func storage(_ message: String) -> QueuesError { QueuesError(.storage, message) }
    /// A consumer setting is out of the platform's range.
    package static func invalidSettings(_ message: String) -> QueuesError { QueuesError(.invalidSettings, message) }
    /// The CLI named a queue that has nothing stored and no configuration.
    package static func unknownQueue(_ message: String) -> QueuesError { QueuesError(.unknownQueue, message) }

    /// Whether this is a storage failure.
    package var isStorage: Bool { code == .storage }

    package var description: String { message }
}
