/// Why a ``QueueRouter`` did not deliver a batch. Cases are static members, so new ones can be
/// added without breaking callers.
public struct QueueRouterError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case noConsumer
    }

    private let code: Code
    /// What went wrong and how to fix it.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// No consumer is registered for `queue` and the router has no fallback: the batch's messages
    /// are retried.
    public static func noConsumer(queue: String, registered: [String]) -> QueueRouterError {
        let list = registered.map { "\"\($0)\"" }.joined(separator: ", ")
        return QueueRouterError(
            .noConsumer,
            "no consumer for queue \"\(queue)\" (this router consumes \(list.isEmpty ? "none" : list)): its messages are retried;"
                + " register one with on(\"\(queue)\") or set a fallback"
        )
    }

    public var description: String { message }
}
