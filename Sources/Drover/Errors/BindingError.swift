/// An error raised by a binding (KV, D1, Queues), whose message is the platform's wording.
///
/// User code matches on these messages, as it would on the platform, so they are kept verbatim.
public protocol BindingError: Error, Sendable, CustomStringConvertible {
    /// The platform's message, verbatim.
    var message: String { get }
}

extension BindingError {
    public var description: String { message }
}
