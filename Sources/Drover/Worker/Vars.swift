import Foundation

/// The `[vars]` of the config: plain-text values, or JSON for tables and arrays.
public struct Vars: Sendable {
    private var values: [String: JSONValue]
    /// Vars whose value came from a secret (`.dev.vars` replacing a var): never printed.
    package var hiddenNames: Set<String> = []

    /// Creates vars from `values`.
    public init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    /// The var as text: a string as it is, anything else as its JSON text.
    public subscript(name: String) -> String? {
        guard let value = values[name] else { return nil }
        if case .string(let text) = value { return text }
        return JSONSerializer.string(value)
    }

    /// The var as a JSON value.
    public func json(_ name: String) -> JSONValue? {
        values[name]
    }

    /// The names, sorted.
    public var names: [String] { values.keys.sorted() }
}
