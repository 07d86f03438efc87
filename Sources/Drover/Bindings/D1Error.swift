import Foundation

/// A D1 error with the platform's prefix (`D1_ERROR: ...`, `D1_EXEC_ERROR: ...`).
public struct D1Error: BindingError, Equatable {
    /// The platform's message, prefix included.
    public var message: String

    /// An error with `message`, verbatim.
    public init(_ message: String) {
        self.message = message
    }
}
