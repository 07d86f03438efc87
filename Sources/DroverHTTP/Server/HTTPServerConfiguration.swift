/// How an ``HTTPServer`` listens and what it accepts.
///
/// Built once (from the CLI flags and the config file) and passed down. The defaults suit a local
/// dev server that every web page its user opens can reach: bounded memory per body and for all
/// bodies together, bounded connections, deadlines a slow client cannot dodge, and only the `Host`
/// names of this machine answered (DNS rebinding).
package struct HTTPServerConfiguration: Sendable {
    /// The address to bind (`127.0.0.1`, `0.0.0.0`, `::1`, `localhost`).
    package var host: String
    /// The port; 0 asks the kernel for a free one (read it back from ``HTTPServer/start()``).
    package var port: Int
    /// How many event loops (threads) serve connections; defaults to the CPUs this process may use.
    package var eventLoops: Int
    /// The largest request body, buffered in memory (413 beyond). The default, 32 MiB, holds a
    /// KV value at its 25 MiB limit with room for its encoding.
    package var maxBodySize: Int
    /// The most bytes of request bodies buffered across all connections at once; a request that
    /// would pass it is answered 503 (with `Retry-After`) and its connection closed.
    package var maxBufferedBodyBytes: Int
    /// The longest request line (414 beyond).
    package var maxRequestLineSize: Int
    /// The largest header section (431 beyond).
    package var maxHeaderSize: Int
    /// The most header fields (431 beyond).
    package var maxHeaderCount: Int
    /// The most connections open at once; `nil` derives it from the process's descriptor limit
    /// (see ``effectiveMaxConnections(descriptorLimit:)``). Past it the server stops accepting
    /// until a connection closes; waiting clients stay in the kernel's backlog.
    package var maxConnections: Int?
    /// How long a client has, from the first byte of a request, to send its complete header
    /// section (408 beyond). Blank lines before a request count: they do not restart the clock.
    package var headerTimeout: Duration
    /// How long a kept-alive connection may sit idle before it is closed (silently: nothing was
    /// asked, so nothing is answered), and how long a body or a response may stall.
    package var idleTimeout: Duration
    /// The slowest average rate, in bytes per second, at which a request body may arrive once
    /// ``bodyRateGracePeriod`` has passed (408 below it), so a body trickled a byte at a time
    /// cannot hold a connection and its buffer for ever. Kestrel's default `MinRequestBodyDataRate`.
    package var minBodyBytesPerSecond: Int
    /// How long a body may take before ``minBodyBytesPerSecond`` is enforced.
    package var bodyRateGracePeriod: Duration
    /// How long to keep reading (and discarding) after answering an error, before closing, so the
    /// client reads the answer instead of a reset.
    package var lingerTimeout: Duration
    /// `Host` names answered besides this machine's own (loopback names and the bound address);
    /// a name starting with `.` also allows its subdomains, `*` allows every name. A request for
    /// any other name is answered 403: a page that rebinds its domain to 127.0.0.1 must not read
    /// the server's answers (Vite's `server.allowedHosts`).
    package var allowedHosts: [String]
    /// A header field (lower-case name) the server sets to the client's address on every request,
    /// after dropping any field of that name the client sent (`cf-connecting-ip` for `drover dev`);
    /// nil for none. Done while the head is parsed, so it costs no copy of the fields.
    package var clientAddressField: String? = nil

    /// Creates a configuration.
    package init(
        host: String = "127.0.0.1",
        port: Int = 8787,
        eventLoops: Int? = nil,
        maxBodySize: Int = 32 * 1024 * 1024,
        maxBufferedBodyBytes: Int = 128 * 1024 * 1024,
        maxRequestLineSize: Int = 8 * 1024,
        maxHeaderSize: Int = 64 * 1024,
        maxHeaderCount: Int = 100,
        maxConnections: Int? = nil,
        headerTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        minBodyBytesPerSecond: Int = 240,
        bodyRateGracePeriod: Duration = .seconds(5),
        lingerTimeout: Duration = .seconds(2),
        allowedHosts: [String] = []
    ) {
        self.host = host
        self.port = port
        self.eventLoops = max(1, eventLoops ?? SocketCalls.availableCPUCount())
        self.maxBodySize = maxBodySize
        self.maxBufferedBodyBytes = maxBufferedBodyBytes
        self.maxRequestLineSize = maxRequestLineSize
        self.maxHeaderSize = maxHeaderSize
        self.maxHeaderCount = maxHeaderCount
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.minBodyBytesPerSecond = minBodyBytesPerSecond
        self.bodyRateGracePeriod = bodyRateGracePeriod
        self.lingerTimeout = lingerTimeout
        self.allowedHosts = allowedHosts
    }

    var parserLimits: HTTPParserLimits {
        HTTPParserLimits(
            maxRequestLineSize: maxRequestLineSize,
            maxHeaderSize: maxHeaderSize,
            maxHeaderCount: maxHeaderCount,
            maxBodySize: maxBodySize
        )
    }

    /// The connection limit in force: ``maxConnections`` when set, else what the descriptor limit
    /// leaves after a reserve for everything else the process opens (stores, log files, outbound
    /// sockets): an eighth of the limit, at least 32, so accepting stops before `accept(2)` fails.
    package func effectiveMaxConnections(descriptorLimit: Int) -> Int {
        if let maxConnections { return max(1, maxConnections) }
        let reserve = max(32, descriptorLimit / 8)
        return max(1, min(10_000, descriptorLimit - reserve))
    }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
