/// A queue error with the platform's message (`Queue send failed: message length of ...`).
public struct QueueError: BindingError, Equatable {
    /// The platform's message, verbatim.
    public var message: String

    /// Creates an error with the platform's `message`.
    public init(_ message: String) {
        self.message = message
    }
}
