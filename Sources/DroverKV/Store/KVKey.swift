#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key as raw bytes: any bytes are legal (NUL, `/`, `..`, non-UTF-8), and a key is never used as a path.
///
/// Ordering is byte-wise (`memcmp`, then length), which for UTF-8 is the order of code points: the
/// order Workers KV lists keys in ("Keys are always returned in lexicographically sorted order
/// according to their UTF-8 bytes", Cloudflare docs, KV `list()`).
struct KVKey: Hashable, Comparable, Sendable {
    /// The key's bytes.
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// The key as text (invalid UTF-8 becomes U+FFFD, as `TextDecoder` does).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    static func == (lhs: KVKey, rhs: KVKey) -> Bool {
        guard lhs.bytes.count == rhs.bytes.count else { return false }
        return lhs.bytes.withUnsafeBytes { l in
            rhs.bytes.withUnsafeBytes { r in
                l.count == 0 || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func < (lhs: KVKey, rhs: KVKey) -> Bool {
        KVKey.compare(lhs.bytes, rhs.bytes) < 0
    }

    /// Byte-wise three-way comparison.
    static func compare(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        let common = min(lhs.count, rhs.count)
        if common > 0 {
            let order = lhs.withUnsafeBytes { l in
                rhs.withUnsafeBytes { r in memcmp(l.baseAddress!, r.baseAddress!, common) }
            }
            if order != 0 { return Int(order) }
        }
        return lhs.count - rhs.count
    }

    /// Whether the key starts with `prefix`.
    func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard prefix.count <= bytes.count else { return false }
        if prefix.isEmpty { return true }
        return bytes.withUnsafeBytes { k in
            prefix.withUnsafeBytes { p in memcmp(k.baseAddress!, p.baseAddress!, p.count) == 0 }
        }
    }
}
