import Drover

/// toml-test's tagged JSON encoding of a decoded document: tables become objects, arrays arrays, and every
/// scalar `{"type": TYPE, "value": TEXT}` (https://github.com/toml-lang/toml-test, "JSON encoding").
package enum TOMLTaggedJSON {
    /// Encodes a table. Keys are sorted so the output is stable.
    /// - Parameters:
    ///   - table: the decoded document or any table in it.
    ///   - pretty: indented output when true.
    /// - Returns: JSON text.
    package static func encode(_ table: TOMLTable, pretty: Bool = false) -> String {
        json(for: TOMLValue(.table(table))).rendered(pretty: pretty)
    }

    /// Encodes one value.
    /// - Parameter value: any TOML value.
    /// - Returns: JSON text.
    package static func encode(_ value: TOMLValue) -> String {
        json(for: value).rendered()
    }

    static func json(for value: TOMLValue) -> JSONValue {
        func tagged(_ type: String, _ text: String) -> JSONValue {
            .members([("type", .string(type)), ("value", .string(text))])
        }
        switch value.content {
        case .string(let s): return tagged("string", s)
        case .integer(let i): return tagged("integer", String(i))
        case .float(let d):
            let text = d.isNaN ? "nan" : d.isInfinite ? (d < 0 ? "-inf" : "inf") : String(d)
            return tagged("float", text)
        case .boolean(let b): return tagged("bool", b ? "true" : "false")
        case .offsetDateTime(let v): return tagged("datetime", v.description)
        case .localDateTime(let v): return tagged("datetime-local", v.description)
        case .localDate(let v): return tagged("date-local", v.description)
        case .localTime(let v): return tagged("time-local", v.description)
        case .array(let elements): return .array(elements.map(json(for:)))
        case .table(let table):
            return .members(table.keys.sorted().map { ($0, json(for: table[$0]!)) })
        }
    }
}
