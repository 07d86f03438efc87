/// Route and query parameters as Swift values: `try request.param("id", as: Int.self)`.
///
/// A parameter that is missing or does not convert is the client's mistake, so it throws an
/// ``HTTPError`` 400 naming the parameter, which a ``Router`` answers as
/// `{"error": "route parameter \"id\" must be an integer, got \"abc\""}`.
extension Request {
    /// The router parameter `name` converted to `T` with `T(text)`: `Int`, `Double`, `Bool`, or a
    /// `LosslessStringConvertible` type of the app's own.
    /// - Throws: ``HTTPError`` 400 `route parameter "id" must be an integer, got "abc"` when the
    ///   value does not convert, `missing route parameter "id"` when the route has no such parameter.
    public func param<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T {
        guard let text = params[name] else { throw HTTPError(400, "missing route parameter \"\(name)\"") }
        return try ParameterConversion.convert(text, to: T.self, naming: "route parameter \"\(name)\"")
    }
}

extension QueryParameters {
    /// The first value of `name` converted to `T` (`?page=2` → `get("page", as: Int.self)` is 2), or
    /// `nil` when the query has no `name`.
    /// - Throws: ``HTTPError`` 400 `query parameter "page" must be an integer, got "two"` when the
    ///   value does not convert.
    public func get<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T? {
        guard let text = self[name] else { return nil }
        return try ParameterConversion.convert(text, to: T.self, naming: "query parameter \"\(name)\"")
    }
}

/// Text of a request to a Swift value, or a 400 that says what was expected.
enum ParameterConversion {
    static func convert<T: LosslessStringConvertible>(_ text: String, to type: T.Type, naming what: String) throws(HTTPError) -> T {
        guard let value = T(text) else {
            throw HTTPError(400, "\(what) must be \(expectation(T.self)), got \(JSONSerializer.string(.string(text)))")
        }
        return value
    }

    /// `an integer`, `an integer from 0 to 255`, `a number`, `true or false`, `a valid UUID`.
    static func expectation(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: return "an integer"
        case let integer as any FixedWidthInteger.Type: return "an integer from \(integer.minDescription) to \(integer.maxDescription)"
        case is any BinaryFloatingPoint.Type: return "a number"
        case is Bool.Type: return "true or false"
        default: return "a valid \(type)"
        }
    }
}

extension FixedWidthInteger {
    fileprivate static var minDescription: String { String(min) }
    fileprivate static var maxDescription: String { String(max) }
}
