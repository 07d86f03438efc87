import Drover
import DroverIntegrationKit

/// The OAuth provider of `OAUTH_AUTHORIZE_URL`, `OAUTH_TOKEN_URL` and `OAUTH_CLIENT_ID`, and its
/// token endpoint as an adapter of the kit (`adapter_id="oauth"`).
struct OAuthProvider: Sendable {
    /// What the token endpoint gave for a code.
    struct Token: Sendable {
        let accessToken: String
        let tokenType: String
        let expiresIn: Int64?
    }

    let authorizeURL: String
    let tokenURL: String
    let clientID: String

    /// The provider of `env`'s vars.
    /// - Throws: a 500 naming the vars when one is missing or not https.
    init(env: Env) throws {
        guard let authorize = env.vars["OAUTH_AUTHORIZE_URL"], authorize.hasPrefix("https://"),
            let token = env.vars["OAUTH_TOKEN_URL"], token.hasPrefix("https://"),
            let client = env.vars["OAUTH_CLIENT_ID"], !client.isEmpty
        else {
            throw HTTPError(500, "OAUTH_AUTHORIZE_URL and OAUTH_TOKEN_URL (https) and OAUTH_CLIENT_ID must be set")
        }
        authorizeURL = authorize
        tokenURL = token
        clientID = client
    }

    /// Exchanges `code` at the token endpoint.
    func exchange(code: String, redirectURI: String, verifier: String, env: Env, ctx: ExecutionContext) async throws -> Token {
        let client = try Integrations.client(env: env, ctx: ctx)
        return try await client.call(
            OAuthTokenEndpoint(),
            OAuthTokenEndpoint.Exchange(url: tokenURL, clientID: clientID, code: code, redirectURI: redirectURI, verifier: verifier))
    }
}

/// The token endpoint (RFC 6749 §4.1.3). A code is good once, so a failed exchange is not retried:
/// the user signs in again.
struct OAuthTokenEndpoint: IntegrationAdapter {
    struct Exchange: Sendable {
        var url: String
        var clientID: String
        var code: String
        var redirectURI: String
        var verifier: String
    }

    static let id = "oauth"
    var id: String { Self.id }
    let version = "1.0.0"
    var policies: AdapterPolicies { Self.policies }
    static let policies = AdapterPolicies(timeout: .seconds(10), retry: RetryPolicy(maxAttempts: 1), circuitBreaker: .upstream)

    func execute(_ input: Exchange, context: AdapterContext) async throws -> Response {
        let form = [
            ("grant_type", "authorization_code"), ("code", input.code), ("redirect_uri", input.redirectURI), ("client_id", input.clientID),
            ("code_verifier", input.verifier),
        ].map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        return try await context.fetch(
            try Request(
                url: input.url, method: "POST",
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"], body: Body(text: form)))
    }

    func transform(_ response: Response) async throws -> OAuthProvider.Token {
        guard response.status == 200 else { throw AdapterError.unexpectedStatus(adapter: id, status: response.status) }
        let json = try await response.json()
        guard let token = json["access_token"]?.stringValue, !token.isEmpty else {
            throw AdapterError.unreadableResponse(adapter: id, reason: "no access_token in the answer")
        }
        return OAuthProvider.Token(
            accessToken: token, tokenType: json["token_type"]?.stringValue ?? "Bearer", expiresIn: json["expires_in"]?.integerValue)
    }
}
