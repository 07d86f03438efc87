/// How an ``HTTPServer`` listens and what it accepts.
///
/// Built once (from the CLI flags and the config file) and passed down; the defaults are the
/// issue's limits.
public struct HTTPServerConfiguration: Sendable {
    /// The address to bind (`127.0.0.1`, `0.0.0.0`, `::1`, `localhost`).
    public var host: String
    /// The port; 0 asks the kernel for a free one (read it back from ``HTTPServer/start()``).
    public var port: Int
    /// How many event loops (threads) serve connections; defaults to the CPUs this process may use.
    public var eventLoops: Int
    /// The largest request body, buffered in memory (413 beyond).
    public var maxBodySize: Int
    /// The longest request line (414 beyond).
    public var maxRequestLineSize: Int
    /// The largest header section (431 beyond).
    public var maxHeaderSize: Int
    /// The most header fields (431 beyond).
    public var maxHeaderCount: Int
    /// How long a client has to send a complete header section (408 beyond).
    public var headerTimeout: Duration
    /// How long a kept-alive connection may sit idle, or a body or response stall (408 beyond).
    public var idleTimeout: Duration
    /// How long to keep reading (and discarding) after answering an error, before closing, so the
    /// client reads the answer instead of a reset.
    public var lingerTimeout: Duration

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8787,
        eventLoops: Int? = nil,
        maxBodySize: Int = 100 * 1024 * 1024,
        maxRequestLineSize: Int = 8 * 1024,
        maxHeaderSize: Int = 64 * 1024,
        maxHeaderCount: Int = 100,
        headerTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        lingerTimeout: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.eventLoops = max(1, eventLoops ?? SocketCalls.availableCPUCount())
        self.maxBodySize = maxBodySize
        self.maxRequestLineSize = maxRequestLineSize
        self.maxHeaderSize = maxHeaderSize
        self.maxHeaderCount = maxHeaderCount
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.lingerTimeout = lingerTimeout
    }

    var parserLimits: HTTPParserLimits {
        HTTPParserLimits(
            maxRequestLineSize: maxRequestLineSize,
            maxHeaderSize: maxHeaderSize,
            maxHeaderCount: maxHeaderCount,
            maxBodySize: maxBodySize
        )
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
