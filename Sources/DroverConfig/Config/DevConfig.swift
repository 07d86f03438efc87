/// `[dev]`: settings of `drover dev` itself, top level only (as wrangler's `[dev]`,
/// https://developers.cloudflare.com/workers/wrangler/configuration/#local-development-settings).
package struct DevConfig: Sendable, Equatable {
    /// `allowed_hosts`: `Host` names the dev server answers besides this machine's own
    /// (loopback names and the bound address). `.example.com` allows the name and its subdomains;
    /// `*` allows every name (and with it DNS rebinding: only on a trusted network).
    package var allowedHosts: [String]
    /// `ip`: the address to listen on; `--ip` wins over it.
    package var ip: String?
    /// `port`: the port to listen on; `--port` wins over it.
    package var port: Int?
    /// `[[dev.outbound]]`: hosts whose outbound `fetch` goes to a worker of the session instead of
    /// the network. Drover's own key, as `allowed_hosts` is: wrangler has no such setting.
    package var outbound: [OutboundRouteConfig]

    /// Creates the settings; everything defaults to empty.
    package init(allowedHosts: [String] = [], ip: String? = nil, port: Int? = nil, outbound: [OutboundRouteConfig] = []) {
        self.allowedHosts = allowedHosts
        self.ip = ip
        self.port = port
        self.outbound = outbound
    }
}

/// One `[[dev.outbound]]` entry: under `drover dev`, a worker's outbound `fetch` to `host` is
/// answered by the session's worker `service` (a fake of the upstream, say), the request unchanged
/// — same URL, method, fields and body — so the worker's code stays what it is in production.
/// Replay still answers from the fixture's recorded upstream; `--record` records these exchanges
/// like any other.
package struct OutboundRouteConfig: Sendable, Equatable {
    /// The host name (`api.example.com`), or `*.` and a domain (`*.myshopify.com`) for every name
    /// under it (not the domain itself); in lower case.
    package var host: String
    /// The name of the worker of the session that answers.
    package var service: String

    package init(host: String, service: String) {
        self.host = host
        self.service = service
    }

    /// Whether a request to `name` (a host, a port after it ignored, any case) goes to ``service``.
    package func matches(_ name: String) -> Bool {
        var name = Substring(name.lowercased())
        if name.hasPrefix("["), let end = name.firstIndex(of: "]") {
            name = name[...end]
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        if name.hasSuffix(".") { name = name.dropLast() }
        if host.hasPrefix("*.") { return name.hasSuffix(host.dropFirst(1)) && name.count > host.count - 1 }
        return name == host
    }

    /// Whether `text` can be a `host`: `*.` optionally, then dot-separated labels of letters, digits
    /// and `-` (a trailing dot allowed), or an IPv4 address; no port, path or scheme.
    package static func isValidHost(_ text: String) -> Bool {
        var name = Substring(text)
        if name.hasPrefix("*.") { name = name.dropFirst(2) }
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        }
    }
}
