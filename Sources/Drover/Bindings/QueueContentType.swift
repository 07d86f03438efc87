/// A message's declared content type: `json`, `text`, `bytes` or `v8`. Any other value is
/// refused by the binding with the platform's message.
public struct QueueContentType: RawRepresentable, Sendable, Hashable {
    /// The type's name as the platform spells it.
    public var rawValue: String
    /// Any name; the binding refuses names other than the four below when sending.
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let json = QueueContentType(rawValue: "json")
    public static let text = QueueContentType(rawValue: "text")
    public static let bytes = QueueContentType(rawValue: "bytes")
    public static let v8 = QueueContentType(rawValue: "v8")
}
