/// What D1 accepts as a bound value, and the conversion from JSON parameters (the playground, replay
/// fixtures and the HTTP-shaped callers) to ``D1Value``.
///
/// D1's `bind()` takes numbers, strings, `null`, booleans (as 1 and 0) and byte arrays; anything else
/// is `D1_TYPE_ERROR: Type '<typeof value>' not supported for value '<String(value)>'`, worded as
/// workerd's `d1-api.ts` words it.
package enum D1ValueBinding {
    /// Checks that every value can be bound: a NaN or infinite double cannot (SQLite would store
    /// NULL for NaN, losing the value silently).
    /// - Throws: ``D1Error`` `D1_TYPE_ERROR: Type 'number' not supported for value 'NaN'`.
    @inlinable
    package static func validate(_ values: [D1Value]) throws(D1Error) {
        for value in values {
            if case .real(let double) = value, !double.isFinite {
                let text = double.isNaN ? "NaN" : (double < 0 ? "-Infinity" : "Infinity")
                throw typeError(type: "number", value: text)
            }
        }
    }

    /// Converts JSON parameters to values: strings stay text; numbers become integers when integral
    /// (and in range), reals otherwise; booleans become 1 and 0; `null` stays NULL; an array of
    /// integers 0...255 becomes a blob.
    /// - Throws: ``D1Error`` `D1_TYPE_ERROR: Type 'object' not supported for value '[object Object]'`
    ///   for an object or any other array.
    package static func values(fromJSON parameters: [JSONValue]) throws(D1Error) -> [D1Value] {
        var values: [D1Value] = []
        values.reserveCapacity(parameters.count)
        for parameter in parameters { values.append(try value(fromJSON: parameter)) }
        return values
    }

    /// Converts one JSON parameter; see ``values(fromJSON:)``.
    package static func value(fromJSON parameter: JSONValue) throws(D1Error) -> D1Value {
        switch parameter {
        case .null: return .null
        case .bool(let flag): return .integer(flag ? 1 : 0)
        case .integer(let integer): return .integer(integer)
        case .double(let double):
            if let integer = parameter.integerValue { return .integer(integer) }
            guard double.isFinite else { throw typeError(type: "number", value: javaScriptString(parameter)) }
            return .real(double)
        case .string(let text): return .text(text)
        case .array(let elements):
            var bytes: [UInt8] = []
            bytes.reserveCapacity(elements.count)
            for element in elements {
                guard let integer = element.integerValue, (0...255).contains(integer) else {
                    throw typeError(type: "object", value: javaScriptString(parameter))
                }
                bytes.append(UInt8(integer))
            }
            return .blob(bytes)
        case .object:
            throw typeError(type: "object", value: javaScriptString(parameter))
        }
    }

    @usableFromInline
    package static func typeError(type: String, value: String) -> D1Error {
        D1Error("D1_TYPE_ERROR: Type '\(type)' not supported for value '\(value)'")
    }

    /// `String(value)` as JavaScript writes it: arrays joined with `,` (null as empty), objects as
    /// `[object Object]`.
    package static func javaScriptString(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let integer): return String(integer)
        case .double(let double):
            if double.isNaN { return "NaN" }
            if double.isInfinite { return double < 0 ? "-Infinity" : "Infinity" }
            return JSONSerializer.string(value)
        case .string(let text): return text
        case .array(let elements):
            return elements.map { $0.isNull ? "" : javaScriptString($0) }.joined(separator: ",")
        case .object: return "[object Object]"
        }
    }
}
