/// A KV error with the platform's message, verbatim (`KV PUT failed: 413 Value length of ...`).
public struct KVError: BindingError, Equatable {
    /// The platform's message, verbatim.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }
}
