/// Which `Host` names a server answers: its defence against DNS rebinding.
///
/// A page on another origin can point its own domain at 127.0.0.1 and then read the answers of a
/// server on this machine, because the browser thinks it talks to the page's origin; the one thing
/// it cannot hide is the `Host` it sends, which is the page's domain. So the server answers only
/// names that mean this machine, and those its user allowed (Vite's `server.allowedHosts`):
/// - `localhost` and every name under `.localhost` (RFC 6761 §6.3: they resolve to loopback);
/// - loopback addresses (`127.0.0.0/8`, `[::1]`) and the address the server is bound to;
/// - when bound to a non-loopback address (`0.0.0.0`, a LAN address), any IP address literal: a
///   rebinding page always sends a name, and a LAN client typically types an address;
/// - the allowed list: an exact name, `.example.com` for the name and its subdomains, `*` for all.
/// Names compare without case and without a trailing dot; a request without `Host` (HTTP/1.0) or
/// with an empty one (RFC 9112 §3.2) is answered, since no browser sends one.
package struct HostAllowlist: Sendable {
    private let boundAddress: String
    private let boundToLoopback: Bool
    private let allowsEveryName: Bool
    private let exactNames: Set<String>
    private let domainSuffixes: [String]

    /// The policy for a server bound to `boundHost` that also answers `allowed`.
    package init(boundHost: String, allowed: [String]) {
        let bound = Self.normalized(Self.withoutBrackets(boundHost))
        boundAddress = bound
        boundToLoopback = Self.isLoopbackName(bound)
        allowsEveryName = allowed.contains("*")
        var exact: Set<String> = []
        var suffixes: [String] = []
        for name in allowed where name != "*" {
            let normalized = Self.normalized(name)
            if normalized.hasPrefix(".") {
                suffixes.append(normalized)
                exact.insert(String(normalized.dropFirst()))
            } else if !normalized.isEmpty {
                exact.insert(normalized)
            }
        }
        exactNames = exact
        domainSuffixes = suffixes
    }

    /// Whether the server is bound to this machine only.
    package var isLoopbackOnly: Bool { boundToLoopback }

    /// Whether a request whose `Host` field (or absolute-form authority) is `host` is answered.
    /// `host` has passed the parser's syntax check (RFC 3986 `host [":" port]`).
    package func allows(_ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return true }
        if allowsEveryName { return true }
        let name = Self.normalized(Self.withoutBrackets(Self.withoutPort(host)))
        if name.isEmpty { return true }
        if Self.isLoopbackName(name) || name == boundAddress { return true }
        if !boundToLoopback && Self.isAddressLiteral(name) { return true }
        if exactNames.contains(name) { return true }
        return domainSuffixes.contains { name.hasSuffix($0) }
    }

    // MARK: - Names

    /// Lower-cased, without one trailing dot (`LocalHost.` is `localhost`).
    private static func normalized(_ name: String) -> String {
        var lowered = name.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        return lowered
    }

    /// `host` without `:port`; an IPv6 literal keeps its brackets.
    private static func withoutPort(_ host: String) -> String {
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return host }
            return String(host[...close])
        }
        guard let colon = host.firstIndex(of: ":") else { return host }
        return String(host[..<colon])
    }

    private static func withoutBrackets(_ host: String) -> String {
        guard host.hasPrefix("["), host.hasSuffix("]") else { return host }
        return String(host.dropFirst().dropLast())
    }

    /// `localhost`, a name under it, `127.0.0.0/8`, `::1` or an IPv4-mapped loopback address.
    static func isLoopbackName(_ name: String) -> Bool {
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        if name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        if let octets = ipv4Octets(name) { return octets[0] == 127 }
        if name.hasPrefix("::ffff:"), let octets = ipv4Octets(String(name.dropFirst(7))) { return octets[0] == 127 }
        return false
    }

    /// Whether `name` is an IPv4 address or (without brackets) an IPv6 address.
    private static func isAddressLiteral(_ name: String) -> Bool {
        if ipv4Octets(name) != nil { return true }
        return name.contains(":") && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: ".")
        }
    }

    /// The four octets of a dotted-decimal IPv4 address.
    private static func ipv4Octets(_ name: String) -> [Int]? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.utf8.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(part), value <= 255
            else { return nil }
            octets.append(value)
        }
        return octets
    }
}
