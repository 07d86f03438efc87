/// Options of `list`.
public struct KVListOptions: Sendable, Equatable {
    /// Only keys starting with these bytes (literal; no wildcards).
    public var prefix: String?
    /// The most keys on a page, 1 to 1000 (default 1000).
    public var limit: Int?
    /// Where the previous page stopped.
    public var cursor: String?

    /// Options of one `list` call.
    public init(prefix: String? = nil, limit: Int? = nil, cursor: String? = nil) {
        self.prefix = prefix
        self.limit = limit
        self.cursor = cursor
    }
}
