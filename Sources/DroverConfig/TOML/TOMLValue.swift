/// A TOML value with the position where it starts in the source.
///
/// Values keep their TOML type (TOML 1.0.0 §Spec): a local date stays a ``TOMLLocalDate``, never a string.
/// Equality compares the content only, not the position.
package struct TOMLValue: Sendable, Equatable, CustomStringConvertible {
    /// The typed content of a TOML value.
    package enum Content: Sendable, Equatable {
        /// A string (TOML 1.0.0 §String), escapes already applied.
        case string(String)
        /// A 64-bit signed integer (TOML 1.0.0 §Integer).
        case integer(Int64)
        /// An IEEE 754 binary64 float (TOML 1.0.0 §Float), including `inf` and `nan`.
        case float(Double)
        /// `true` or `false` (TOML 1.0.0 §Boolean).
        case boolean(Bool)
        /// An offset date-time (TOML 1.0.0 §Offset Date-Time).
        case offsetDateTime(TOMLOffsetDateTime)
        /// A local date-time (TOML 1.0.0 §Local Date-Time).
        case localDateTime(TOMLLocalDateTime)
        /// A local date (TOML 1.0.0 §Local Date).
        case localDate(TOMLLocalDate)
        /// A local time (TOML 1.0.0 §Local Time).
        case localTime(TOMLLocalTime)
        /// An array (TOML 1.0.0 §Array) or an array of tables (§Array of Tables).
        case array([TOMLValue])
        /// A table (TOML 1.0.0 §Table, §Inline Table).
        case table(TOMLTable)

        /// NaN equals NaN here, so that decoded documents compare as values.
        package static func == (lhs: Content, rhs: Content) -> Bool {
            switch (lhs, rhs) {
            case (.string(let a), .string(let b)): return a == b
            case (.integer(let a), .integer(let b)): return a == b
            case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
            case (.boolean(let a), .boolean(let b)): return a == b
            case (.offsetDateTime(let a), .offsetDateTime(let b)): return a == b
            case (.localDateTime(let a), .localDateTime(let b)): return a == b
            case (.localDate(let a), .localDate(let b)): return a == b
            case (.localTime(let a), .localTime(let b)): return a == b
            case (.array(let a), .array(let b)): return a == b
            case (.table(let a), .table(let b)): return a == b
            default: return false
            }
        }
    }

    /// The typed content.
    package var content: Content
    /// Where the value starts (for a table defined by a `[header]`, where the header's key is).
    package var position: TOMLPosition

    /// Creates a value.
    /// - Parameters:
    ///   - content: the typed content.
    ///   - position: where it starts; defaults to 1:1 for values built in code.
    package init(_ content: Content, position: TOMLPosition = TOMLPosition(line: 1, column: 1)) {
        self.content = content
        self.position = position
    }

    /// Compares contents, ignoring positions.
    package static func == (lhs: TOMLValue, rhs: TOMLValue) -> Bool { lhs.content == rhs.content }

    /// The TOML type name, as used in error messages and toml-test (`string`, `integer`, `float`, `bool`,
    /// `datetime`, `datetime-local`, `date-local`, `time-local`, `array`, `table`).
    package var typeName: String {
        switch content {
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .boolean: return "bool"
        case .offsetDateTime: return "datetime"
        case .localDateTime: return "datetime-local"
        case .localDate: return "date-local"
        case .localTime: return "time-local"
        case .array: return "array"
        case .table: return "table"
        }
    }

    /// The string, if this is a string.
    package var stringValue: String? { if case .string(let v) = content { v } else { nil } }
    /// The integer, if this is an integer.
    package var integerValue: Int64? { if case .integer(let v) = content { v } else { nil } }
    /// The float, if this is a float.
    package var floatValue: Double? { if case .float(let v) = content { v } else { nil } }
    /// The boolean, if this is a boolean.
    package var boolValue: Bool? { if case .boolean(let v) = content { v } else { nil } }
    /// The elements, if this is an array.
    package var arrayValue: [TOMLValue]? { if case .array(let v) = content { v } else { nil } }
    /// The table, if this is a table.
    package var tableValue: TOMLTable? { if case .table(let v) = content { v } else { nil } }

    /// A short TOML-like rendering for messages (strings quoted, tables and arrays abbreviated).
    package var description: String {
        switch content {
        case .string(let v): return "\"\(v)\""
        case .integer(let v): return String(v)
        case .float(let v): return v.isNaN ? "nan" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : String(v)
        case .boolean(let v): return String(v)
        case .offsetDateTime(let v): return v.description
        case .localDateTime(let v): return v.description
        case .localDate(let v): return v.description
        case .localTime(let v): return v.description
        case .array(let v): return "[" + v.map(\.description).joined(separator: ", ") + "]"
        case .table(let v): return "{" + v.keys.map { "\($0) = \(v[$0]!.description)" }.joined(separator: ", ") + "}"
        }
    }
}
