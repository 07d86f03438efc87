import Drover

extension JWKSCache {
    /// How long a ``JWKSCache`` keeps a key set, and how often it may fetch one. Every knob is named
    /// here with its default.
    public struct Configuration: Sendable {
        /// How long a fetched set is fresh, served without fetching: 1 hour by default (Clerk keeps
        /// its JWKS 5 minutes in memory; a KV copy shared by every process can live longer).
        public var timeToLive: Duration
        /// How long past its time to live a set may still be served when fetching fails (RFC 5861's
        /// `stale-if-error`): 24 hours by default. The KV entry expires after time to live plus this
        /// (at least 60 s, KV's minimum), and then fetching must succeed.
        public var staleIfError: Duration
        /// The least time between two refetches forced by a `kid` missing from a fresh set: 5 minutes
        /// by default. A flood of tokens with made-up `kid`s costs the JWKS endpoint one request per
        /// interval per URL; a rotated key is picked up at once unless a refetch happened within it.
        public var forcedRefetchInterval: Duration
        /// After a failed fetch, how long no fetch is tried (the stale copy, if any, is served): 60 s by
        /// default, so that an outage of the JWKS endpoint does not cost every request a timeout.
        public var failureBackoff: Duration
        /// The most time a fetch of the JWKS may take: 5 s by default.
        public var fetchTimeout: Duration
        /// The longest JWKS response read, in bytes: 512 KiB by default.
        public var maximumResponseBytes: Int
        /// The start of the KV keys: `jwks:` by default. The keys are this, the SHA-256 of the URL in
        /// hex, and `:refetch` and `:failure` for the rate-limit records.
        public var keyPrefix: String

        /// A configuration; every parameter has its default.
        public init(
            timeToLive: Duration = .seconds(3600),
            staleIfError: Duration = .seconds(86_400),
            forcedRefetchInterval: Duration = .seconds(300),
            failureBackoff: Duration = .seconds(60),
            fetchTimeout: Duration = .seconds(5),
            maximumResponseBytes: Int = 512 * 1024,
            keyPrefix: String = "jwks:"
        ) {
            self.timeToLive = timeToLive
            self.staleIfError = staleIfError
            self.forcedRefetchInterval = forcedRefetchInterval
            self.failureBackoff = failureBackoff
            self.fetchTimeout = fetchTimeout
            self.maximumResponseBytes = maximumResponseBytes
            self.keyPrefix = keyPrefix
        }
    }
}
