import Drover

/// The shop the app syncs with, read from the worker's bindings: `SHOPIFY_SHOP_DOMAIN`,
/// `SHOPIFY_API_VERSION` and the secret `SHOPIFY_ACCESS_TOKEN`.
struct ShopifyShop: Sendable {
    /// The shop's host, such as `example-shop.myshopify.com`.
    let domain: String
    /// The Admin API version in its URLs, such as `2024-01`.
    let apiVersion: String
    /// The Admin API access token, sent as `X-Shopify-Access-Token`.
    let accessToken: String

    /// The shop of `env`.
    /// - Throws: a 500 naming the binding when a var is missing or malformed (a worker's own
    ///   configuration, never the client's fault); the secret's error when the token is missing.
    init(env: Env) throws {
        guard let domain = env.vars["SHOPIFY_SHOP_DOMAIN"], Self.isHost(domain) else {
            throw HTTPError(500, "SHOPIFY_SHOP_DOMAIN must be the shop's host name, such as example-shop.myshopify.com")
        }
        let version = env.vars["SHOPIFY_API_VERSION"] ?? "2024-01"
        guard Self.isAPIVersion(version) else {
            throw HTTPError(500, "SHOPIFY_API_VERSION must look like 2024-01 or unstable")
        }
        self.domain = domain.lowercased()
        self.apiVersion = version
        self.accessToken = try env.secret("SHOPIFY_ACCESS_TOKEN")
    }

    /// `https://{domain}/admin/api/{version}/` followed by `path`.
    func adminURL(_ path: String) -> String {
        "https://\(domain)/admin/api/\(apiVersion)/\(path)"
    }

    /// Whether `url` is on this shop's Admin API: a `Link` header naming any other place is not
    /// followed, so the access token never leaves for a host the config did not name.
    func isAdminURL(_ url: String) -> Bool {
        url.hasPrefix(adminURL(""))
    }

    /// Letters, digits, `-` and `.`, one to 253 of them, no empty label.
    static func isHost(_ text: String) -> Bool {
        TextRules.isToken(text, maxLength: 253, extra: "-.") && !text.hasPrefix(".") && !text.hasSuffix(".") && !text.contains("..")
    }

    /// `YYYY-MM` or `unstable`.
    static func isAPIVersion(_ text: String) -> Bool {
        if text == "unstable" { return true }
        let bytes = Array(text.utf8)
        return bytes.count == 7 && bytes[4] == UInt8(ascii: "-")
            && bytes.enumerated().allSatisfy { $0.offset == 4 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) }
    }
}
