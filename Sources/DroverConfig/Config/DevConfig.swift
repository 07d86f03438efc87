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

    /// Creates the settings; everything defaults to empty.
    package init(allowedHosts: [String] = [], ip: String? = nil, port: Int? = nil) {
        self.allowedHosts = allowedHosts
        self.ip = ip
        self.port = port
    }
}
