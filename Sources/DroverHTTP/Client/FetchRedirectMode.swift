/// What an outbound fetch does with a redirect response (Fetch standard, `RequestInit.redirect`).
package enum FetchRedirectMode: String, Sendable, CaseIterable {
    /// Follow up to 20 redirects and answer with the final response (the default).
    case follow
    /// Answer with the redirect response itself.
    case manual
    /// Fail with a ``FetchError`` (kind `other`) on a redirect.
    case error
}
