/// An error of a Durable Object namespace, stub or storage, with the platform's message.
public struct DurableObjectError: BindingError, Equatable {
    /// The platform's message, verbatim.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    // The platform's words (workerd's `actor-id.c++`, `sql.c++`, `actor-state.c++`).
    static let noRows = "Expected exactly one result from SQL query, but got no results."
    static let severalRows = "Expected exactly one result from SQL query, but got multiple results."
}
