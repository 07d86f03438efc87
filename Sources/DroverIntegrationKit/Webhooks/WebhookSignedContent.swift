/// The bytes Svix and Stripe sign: the id (Svix), the timestamp in decimal and the body, joined
/// with `.`, made in one allocation with one copy of the body.
enum WebhookSignedContent {
    /// `{id}.{timestamp}.{body}` (Svix), or `{timestamp}.{body}` without an id (Stripe's `t`). The
    /// timestamp is written as the number it is, without leading zeros, as the official libraries
    /// sign it; it is never negative (it was parsed from digits).
    static func bytes(id: String? = nil, timestamp: Int64, body: [UInt8]) -> [UInt8] {
        var digits = 1
        var rest = timestamp / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let headLength = (id.map { $0.utf8.count + 1 } ?? 0) + digits + 1
        return [UInt8](unsafeUninitializedCapacity: headLength + body.count) { buffer, initialized in
            var offset = 0
            if let id {
                offset = UnsafeMutableBufferPointer(rebasing: buffer[...]).initialize(fromContentsOf: id.utf8)
                buffer[offset] = UInt8(ascii: ".")
                offset += 1
            }
            var value = timestamp
            for position in (offset..<offset + digits).reversed() {
                buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
            offset += digits
            buffer[offset] = UInt8(ascii: ".")
            offset += 1
            offset += UnsafeMutableBufferPointer(rebasing: buffer[offset...]).initialize(fromContentsOf: body)
            initialized = offset
        }
    }
}
