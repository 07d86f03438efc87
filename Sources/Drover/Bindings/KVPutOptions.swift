/// Options of `put`. When both are given, `expirationTtl` wins.
///
/// The expirations can also be given unparsed, as a query string carries them
/// (``init(expirationText:expirationTtlText:metadata:)``): the namespace then validates the raw text
/// and answers a value that is not a positive integer with the platform's message naming it
/// (`Invalid expiration_ttl of abc. Please specify integer greater than 0.`). An unparsed value,
/// when present, takes the place of the integer one.
public struct KVPutOptions: Sendable, Equatable {
    /// Absolute expiration, seconds since the epoch; at least 60 s in the future.
    public var expiration: Int64?
    /// Expiration relative to now, in seconds; at least 60.
    public var expirationTtl: Int64?
    /// JSON metadata, at most 1024 bytes serialized.
    public var metadata: JSONValue?
    /// `expiration` as the caller wrote it, not yet parsed; wins over ``expiration``.
    public var expirationText: String?
    /// `expirationTtl` as the caller wrote it, not yet parsed; wins over ``expirationTtl``.
    public var expirationTtlText: String?

    /// Options with integer expirations.
    public init(expiration: Int64? = nil, expirationTtl: Int64? = nil, metadata: JSONValue? = nil) {
        self.expiration = expiration
        self.expirationTtl = expirationTtl
        self.metadata = metadata
    }

    /// Options with unparsed expirations (from a query string or a CLI flag), validated by `put`.
    public init(expirationText: String?, expirationTtlText: String?, metadata: JSONValue? = nil) {
        self.expirationText = expirationText
        self.expirationTtlText = expirationTtlText
        self.metadata = metadata
    }
}
