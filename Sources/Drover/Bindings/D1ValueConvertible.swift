import Foundation

/// A Swift value D1 can bind (GRDB's `DatabaseValueConvertible` idea): integers, `Double`,
/// `Float`, `String`, `Bool` (1 and 0, as D1 binds booleans), `[UInt8]` and `Data` (blobs),
/// optionals (`nil` is NULL), and ``D1Value`` itself.
///
/// `bind` takes them directly:
/// `db.prepare("INSERT INTO users VALUES (?, ?, ?, ?)").bind(id, name, nil, isAdmin)`.
public protocol D1ValueConvertible {
    /// The value as D1 binds it.
    var d1Value: D1Value { get }
}

extension D1Value: D1ValueConvertible {
    /// The value itself.
    public var d1Value: D1Value { self }
}

extension String: D1ValueConvertible {
    /// Text.
    public var d1Value: D1Value { .text(self) }
}

extension Substring: D1ValueConvertible {
    /// Text.
    public var d1Value: D1Value { .text(String(self)) }
}

extension Bool: D1ValueConvertible {
    /// 1 or 0, as D1 binds `true` and `false`.
    public var d1Value: D1Value { .integer(self ? 1 : 0) }
}

extension Double: D1ValueConvertible {
    /// A real; NaN and the infinities fail when the statement runs (`D1_TYPE_ERROR`), as on D1.
    public var d1Value: D1Value { .real(self) }
}

extension Float: D1ValueConvertible {
    /// A real with the float's shortest decimal digits (`0.1` binds as `0.1`).
    public var d1Value: D1Value { .real(Double(description) ?? Double(self)) }
}

extension Int: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(Int64(self)) }
}

extension Int8: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(Int64(self)) }
}

extension Int16: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(Int64(self)) }
}

extension Int32: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(Int64(self)) }
}

extension Int64: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(self) }
}

extension UInt8: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(Int64(self)) }
}

extension UInt16: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(Int64(self)) }
}

extension UInt32: D1ValueConvertible {
    /// An integer.
    public var d1Value: D1Value { .integer(Int64(self)) }
}

extension Array: D1ValueConvertible where Element == UInt8 {
    /// A blob.
    public var d1Value: D1Value { .blob(self) }
}

extension Data: D1ValueConvertible {
    /// A blob.
    public var d1Value: D1Value { .blob(Array(self)) }
}

extension Optional: D1ValueConvertible where Wrapped: D1ValueConvertible {
    /// The wrapped value, or NULL.
    public var d1Value: D1Value { self?.d1Value ?? .null }
}

/// The ``D1Value`` cases where `bind` expects a value: `bind(.text(name), .null)` keeps compiling
/// now that `bind` takes `(any D1ValueConvertible)?` rather than `D1Value`.
extension Optional where Wrapped == any D1ValueConvertible {
    /// NULL.
    public static var null: Self { D1Value.null }
    /// An integer.
    public static func integer(_ value: Int64) -> Self { D1Value.integer(value) }
    /// A real.
    public static func real(_ value: Double) -> Self { D1Value.real(value) }
    /// Text.
    public static func text(_ value: String) -> Self { D1Value.text(value) }
    /// A blob.
    public static func blob(_ bytes: [UInt8]) -> Self { D1Value.blob(bytes) }
}
