/// Typed views of a ``D1Value``, for reading a row by hand: `row["id"]?.int64`,
/// `row["name"]?.string`. Each is `nil` when the value is not of that kind; the numeric ones
/// convert between integers and reals when no precision is lost (SQLite hands back `3.0` from a
/// `REAL` column and `3` from an `INTEGER` one).
extension D1Value {
    /// The integer, or a real with no fractional part that fits in 64 bits.
    public var int64: Int64? {
        switch self {
        case .integer(let integer): integer
        case .real(let double): Int64(exactly: double)
        default: nil
        }
    }

    /// ``int64`` as an `Int`.
    public var int: Int? { int64.flatMap { Int(exactly: $0) } }

    /// The real, or the integer as a `Double`.
    public var double: Double? {
        switch self {
        case .integer(let integer): Double(integer)
        case .real(let double): double
        default: nil
        }
    }

    /// An integer as D1 stores booleans: 0 is `false`, any other integer `true`.
    public var bool: Bool? {
        if case .integer(let integer) = self { return integer != 0 }
        return nil
    }

    /// The text.
    public var string: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    /// The blob's bytes.
    public var bytes: [UInt8]? {
        if case .blob(let bytes) = self { return bytes }
        return nil
    }

    /// Whether this is NULL.
    public var isNull: Bool { self == .null }
}

extension D1Value {
    /// The value D1 binds for the JavaScript value `json` stands for: a string as text, a number as an
    /// integer when it is whole (and in range) and as a real otherwise, a boolean as 1 or 0, `null`
    /// as NULL, an array of integers 0...255 as a blob — for a worker that binds parameters that
    /// arrive as JSON, as a Workers script binds `JSON.parse`d values.
    /// - Throws: ``D1Error`` with D1's `D1_TYPE_ERROR` wording for an object or any other array.
    public init(json: JSONValue) throws(D1Error) {
        self = try D1ValueBinding.value(fromJSON: json)
    }
}
