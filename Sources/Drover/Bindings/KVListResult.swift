/// A page of `list`.
public struct KVListResult: Sendable, Equatable {
    /// One listed key.
    public struct Key: Sendable, Equatable {
        /// The key.
        public var name: String
        /// Absolute expiration, seconds since the epoch, if the key expires.
        public var expiration: Int64?
        /// The metadata given to `put`, if any.
        public var metadata: JSONValue?

        /// A listed key.
        public init(name: String, expiration: Int64? = nil, metadata: JSONValue? = nil) {
            self.name = name
            self.expiration = expiration
            self.metadata = metadata
        }
    }

    /// The keys of this page, in byte order of their UTF-8.
    public var keys: [Key]
    /// Whether this is the last page.
    public var listComplete: Bool
    /// Pass to the next `list` call; `nil` on the last page.
    public var cursor: String?

    /// A page of keys.
    public init(keys: [Key], listComplete: Bool, cursor: String?) {
        self.keys = keys
        self.listComplete = listComplete
        self.cursor = cursor
    }
}
