/// A secret value (from `.dev.vars` or `drover secret put`) that never prints: `description`,
/// `debugDescription` and reflection show `Secret(********)`. Read it deliberately with ``reveal()``.
package struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    /// Wraps a value.
    package init(_ value: String) {
        self.value = value
    }

    /// The value, for handing to the worker. Never log what this returns.
    package func reveal() -> String { value }

    /// `Secret(********)`.
    package var description: String { "Secret(********)" }
    /// `Secret(********)`.
    package var debugDescription: String { description }
    /// A mirror without children, so `dump` and `String(reflecting:)` cannot reach the value.
    package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
