/// `[dev]`: settings of `drover dev` itself, top level only (as wrangler's `[dev]`).
public struct DevConfig: Sendable, Equatable {
    /// `allowed_hosts`: `Host` names the dev server answers besides this machine's own
    /// (loopback names and the bound address). `.example.com` allows the name and its subdomains;
    /// `*` allows every name (and with it DNS rebinding: only on a trusted network).
    public var allowedHosts: [String]

    /// Creates the settings; everything defaults to empty.
    public init(allowedHosts: [String] = []) {
        self.allowedHosts = allowedHosts
    }
}
