/// A value with its metadata, as `getWithMetadata` returns it.
public struct KVEntry: Sendable, Equatable {
    /// The stored bytes.
    public var value: [UInt8]
    /// The metadata given to `put`, if any.
    public var metadata: JSONValue?
    /// The absolute expiration in seconds since the epoch, if any.
    public var expiration: Int64?

    /// An entry of `value`, with optional metadata and absolute expiration.
    public init(value: [UInt8], metadata: JSONValue? = nil, expiration: Int64? = nil) {
        self.value = value
        self.metadata = metadata
        self.expiration = expiration
    }

    /// The value as UTF-8 text.
    public var text: String { String(decoding: value, as: UTF8.self) }
}
