import Glibc

/// The address of a connection's peer, as `accept(2)` gave it: kept as raw bytes and turned into
/// text only when a request asks (once per connection).
struct PeerAddress: Sendable {
    private enum Family: Sendable {
        case none
        case inet(in_addr)
        case inet6(in6_addr)
    }

    private var family: Family = .none

    /// No address (a socket that is not IP, or one not accepted yet).
    init() {}

    /// The address in `storage`, an `AF_INET` or `AF_INET6` `sockaddr`; anything else is none.
    init(_ storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            family = .inet(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in.self).sin_addr })
        case AF_INET6:
            family = .inet6(withUnsafeBytes(of: &storage) { $0.load(as: sockaddr_in6.self).sin6_addr })
        default:
            family = .none
        }
    }

    /// The address as text (`127.0.0.1`, `::1`), an IPv4-mapped IPv6 address as IPv4 (a dual-stack
    /// socket reports IPv4 clients that way, and `CF-Connecting-IP` shows them as IPv4); nil for none.
    var text: String? {
        switch family {
        case .none:
            return nil
        case .inet(var address):
            return Self.format(AF_INET, &address, length: Int(INET_ADDRSTRLEN))
        case .inet6(var address):
            let bytes = withUnsafeBytes(of: &address) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                var mapped = in_addr()
                withUnsafeMutableBytes(of: &mapped) { $0.copyBytes(from: bytes[12..<16]) }
                return Self.format(AF_INET, &mapped, length: Int(INET_ADDRSTRLEN))
            }
            return Self.format(AF_INET6, &address, length: Int(INET6_ADDRSTRLEN))
        }
    }

    private static func format<Address>(_ family: Int32, _ address: inout Address, length: Int) -> String? {
        var buffer = [CChar](repeating: 0, count: length)
        let written = withUnsafePointer(to: &address) { pointer in
            buffer.withUnsafeMutableBufferPointer { inet_ntop(family, pointer, $0.baseAddress, socklen_t(length)) }
        }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
