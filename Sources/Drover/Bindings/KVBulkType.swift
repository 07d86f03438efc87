/// The type a bulk `get` decodes each value into: only `text` and `json` exist on the platform.
public struct KVBulkType: RawRepresentable, Sendable, Hashable {
    /// The type's name as user code spells it (`"text"`, `"json"`, or anything else, which `get` rejects).
    public var rawValue: String
    /// A type of this name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Values as UTF-8 text.
    public static let text = KVBulkType(rawValue: "text")
    /// Values parsed as JSON.
    public static let json = KVBulkType(rawValue: "json")
}
