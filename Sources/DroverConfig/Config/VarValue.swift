import Drover

/// The value of an environment variable from `[vars]`, keeping its TOML type (wrangler passes vars to the
/// worker as JSON values: strings, numbers, booleans, objects and arrays).
package enum VarValue: Sendable, Equatable, CustomStringConvertible {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int64)
    /// A float.
    case float(Double)
    /// A boolean.
    case bool(Bool)
    /// An array.
    case array([VarValue])
    /// A table, as a JSON object.
    case object([String: VarValue])

    /// The value as compact JSON (keys sorted); a string var is its JSON string.
    package var jsonText: String { json.rendered() }

    /// Strings as themselves; everything else as JSON, the way a worker sees non-string vars.
    package var description: String {
        if case .string(let s) = self { return s }
        return jsonText
    }

    var json: JSONValue {
        switch self {
        case .string(let s): return .string(s)
        case .integer(let i): return .integer(i)
        case .float(let d): return d.isFinite ? .double(d) : .null
        case .bool(let b): return .bool(b)
        case .array(let a): return .array(a.map(\.json))
        case .object(let o): return .members(o.keys.sorted().map { ($0, o[$0]!.json) })
        }
    }
}

extension VarValue {
    /// The value as the worker sees it in `env.vars`.
    package var jsonValue: JSONValue { json }
}
