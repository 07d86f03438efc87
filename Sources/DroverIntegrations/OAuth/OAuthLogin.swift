import Drover

/// Sign-in through an OAuth 2.0 provider's authorization-code flow (RFC 6749 §4.1), with PKCE
/// (RFC 7636, S256) since the app has no client secret (Docs/sample-app.md, "OAuth").
///
/// `GET /auth/login` makes a random `state` (32 bytes) and a PKCE verifier, keeps them in
/// `SESSIONS` under `oauth:state:<state>` for 10 minutes, and answers 302 to `OAUTH_AUTHORIZE_URL`
/// with `response_type=code`, `client_id`, `redirect_uri` (this server's `/auth/callback`),
/// `state`, `code_challenge` and `code_challenge_method=S256`.
///
/// `GET /auth/callback?code=…&state=…`:
///
/// | request | answer |
/// |---|---|
/// | a `state` unknown, expired or already used | 302 `/login?error=invalid_state` |
/// | the provider's `error=…` (the user declined) | 302 `/login?error=<that error>` (state used up) |
/// | no `code` | 302 `/login?error=invalid_request` |
/// | the token endpoint refusing or unreachable | 302 `/login?error=token_exchange_failed` |
/// | otherwise | 302 `/dashboard`, `Set-Cookie: session=<id>; HttpOnly; Secure; SameSite=Lax; Path=/` |
///
/// The state is deleted **before** the code is exchanged, so it is good once even when two
/// callbacks race. The session (`session:<id>` in `SESSIONS`, 24 hours) keeps the provider's access
/// token; its id is 32 random bytes, base64url.
enum OAuthLogin {
    static let stateLifetime: Int64 = 10 * 60
    static let sessionLifetime: Int64 = 24 * 60 * 60

    static func install(on router: inout Router) {
        router.get("/auth/login", login)
        router.get("/auth/callback", callback)
    }

    @Sendable static func login(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let provider = try OAuthProvider(env: env)
        let state = Base64URL.encode(Crypto.randomBytes(count: 32))
        let verifier = Base64URL.encode(Crypto.randomBytes(count: 32))
        let redirectURI = callbackURL(for: request)
        try await env.kv("SESSIONS").put(
            "oauth:state:" + state, json: ["verifier": .string(verifier), "redirectUri": .string(redirectURI)],
            options: KVPutOptions(expirationTtl: stateLifetime))
        let query = [
            ("response_type", "code"), ("client_id", provider.clientID), ("redirect_uri", redirectURI), ("state", state),
            ("code_challenge", Base64URL.encode(Crypto.sha256(Array(verifier.utf8)))), ("code_challenge_method", "S256"),
        ].map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        let separator = provider.authorizeURL.contains("?") ? "&" : "?"
        return Response(status: 302, headers: ["Location": provider.authorizeURL + separator + query, "Cache-Control": "no-store"])
    }

    @Sendable static func callback(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Response {
        let query = request.query
        guard let state = query["state"], isState(state) else { return failure("invalid_state") }
        let sessions = try env.kv("SESSIONS")
        let key = "oauth:state:" + state
        guard let stored = try await sessions.getJSON(key), let verifier = stored["verifier"]?.stringValue,
            let redirectURI = stored["redirectUri"]?.stringValue
        else {
            ctx.logger.warning("oauth callback with an unknown, expired or used state")
            return failure("invalid_state")
        }
        try await sessions.delete(key)  // good once, whatever happens next
        if let error = query["error"] { return failure(isErrorCode(error) ? error : "access_denied") }
        guard let code = query["code"], !code.isEmpty, code.utf8.count <= 2048 else { return failure("invalid_request") }

        let provider = try OAuthProvider(env: env)
        let token: OAuthProvider.Token
        do {
            token = try await provider.exchange(code: code, redirectURI: redirectURI, verifier: verifier, env: env, ctx: ctx)
        } catch {
            ctx.logger.error("oauth code exchange failed: \(error)")
            return failure("token_exchange_failed")
        }
        let session = Base64URL.encode(Crypto.randomBytes(count: 32))
        try await sessions.put(
            "session:" + session,
            json: [
                "accessToken": .string(token.accessToken), "tokenType": .string(token.tokenType),
                "expiresAt": token.expiresIn.map { .integer(env.clock.nowSeconds() + $0) } ?? .null,
                "createdAt": .integer(env.clock.nowSeconds()),
            ],
            options: KVPutOptions(expirationTtl: sessionLifetime))
        ctx.logger.info("oauth sign-in: session created")
        return Response(
            status: 302,
            headers: [
                "Location": "/dashboard", "Set-Cookie": "session=\(session); HttpOnly; Secure; SameSite=Lax; Path=/", "Cache-Control": "no-store",
            ])
    }

    /// This server's callback URL, from the request's own origin (`drover dev` answers only the
    /// host names it serves).
    static func callbackURL(for request: Request) -> String {
        "\(request.scheme)://\(request.authority)/auth/callback"
    }

    /// A redirect to the login page with `error`.
    static func failure(_ error: String) -> Response {
        Response(status: 302, headers: ["Location": "/login?error=\(PercentEncoding.encode(error))", "Cache-Control": "no-store"])
    }

    /// The shape of a state this app makes: 43 base64url characters (at most 128 accepted).
    static func isState(_ text: String) -> Bool {
        TextRules.isToken(text, maxLength: 128, extra: "-_")
    }

    /// An OAuth error code (RFC 6749 §4.1.2.1): printable ASCII without quotes or backslashes.
    static func isErrorCode(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != 0x22 && $0 != 0x5C }
    }
}
