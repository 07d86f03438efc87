/// The sizes past which the request parser refuses a request.
package struct HTTPParserLimits: Sendable {
    /// The longest request line, CRLF excluded (414 beyond).
    package var maxRequestLineSize: Int
    /// The largest header section after the request line (431 beyond).
    package var maxHeaderSize: Int
    /// The most header fields (431 beyond).
    package var maxHeaderCount: Int
    /// The largest body (413 beyond).
    package var maxBodySize: Int

    /// Creates limits; the defaults are the server's.
    package init(
        maxRequestLineSize: Int = 8 * 1024,
        maxHeaderSize: Int = 64 * 1024,
        maxHeaderCount: Int = 100,
        maxBodySize: Int = 32 * 1024 * 1024
    ) {
        self.maxRequestLineSize = maxRequestLineSize
        self.maxHeaderSize = maxHeaderSize
        self.maxHeaderCount = maxHeaderCount
        self.maxBodySize = maxBodySize
    }
}
