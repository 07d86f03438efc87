import Drover
import Foundation
import DroverIntegrationKit
import Synchronization

/// Clerk session tokens at the edge: who is calling, checked on every request without a call to
/// Clerk (the JWKS is cached in `CACHE`).
///
/// The token comes from `Authorization: Bearer <token>`, else the `__session` cookie (where
/// Clerk's frontend keeps it). It is an RS256 JWT, checked by the kit's ``JWTVerifier`` in Clerk's
/// order: its header (`alg` must be RS256 — `none`, HS256 and every other algorithm are refused
/// before any key is looked at), the key chosen by `kid` from the JWKS at `CLERK_JWKS_URL`, the
/// signature, then `exp` and `nbf` with 5 s of clock skew, `iss == CLERK_ISSUER`, and `azp` among
/// `CLERK_AUTHORIZED_PARTIES` when both are present. Any failure is a 401 with
/// `WWW-Authenticate: Bearer error="invalid_token"` and a reason that never repeats the token.
///
/// The JWKS is kept in `CACHE` for 24 hours; when it cannot be fetched, a copy up to a day older is
/// used; an unknown `kid` forces one refetch at most every 5 minutes, so a flood of made-up `kid`s
/// cannot hammer Clerk. The parsed keys are also kept in this process (``keyMemory``), scoped to
/// the `CACHE` binding, so a request with a known key parses no JSON and builds no key.
enum ClerkAuth {
    /// A caller whose session token passed.
    struct Session: Sendable {
        /// `sub`: the Clerk user id.
        let userID: String
        /// `sid`: the session id, when the token has one.
        let sessionID: String?
    }

    /// The JWKS's in-process copy, in front of `CACHE`.
    static let keyMemory = JWKSMemoryCache()

    /// The JWKS cache's times: fresh for 24 hours, a stale copy for a day more when Clerk cannot
    /// be reached.
    static let keySetPolicy = JWKSCache.Configuration(timeToLive: .seconds(86_400), staleIfError: .seconds(86_400))

    /// The session of `request`.
    /// - Throws: a 401 when there is no token or it is refused; the bindings' errors.
    static func authenticate(_ request: Request, env: Env, ctx: ExecutionContext) async throws -> Session {
        guard let token = request.bearerToken ?? request.cookie("__session"), !token.isEmpty else {
            throw HTTPError(401, "missing session token", headers: ["WWW-Authenticate": "Bearer"])
        }
        let verifier = try verifier(env: env, ctx: ctx)
        do {
            let verified = try await verifier.verify(token)
            guard let subject = verified.claims.subject else { throw HTTPError(401, "invalid token: claims not accepted") }
            return Session(userID: subject, sessionID: verified.claims["sid"]?.stringValue)
        } catch {
            ctx.logger.warning("clerk session token refused: \(error)")
            // The contract answers every failure 401 — even no key set to check against (which
            // the kit would answer 503): the client must sign in again either way.
            throw HTTPError(401, error.message, headers: ["WWW-Authenticate": "Bearer error=\"invalid_token\", error_description=\"\(error.message)\""])
        }
    }

    /// What the vars say, read once per set of bindings (vars do not change under a running
    /// worker; a reload opens new bindings).
    struct Settings: Sendable {
        let configuration: JWTVerifier.Configuration
        let jwksURL: String
    }

    private static let settingsByBindings = BindingScoped<SettingsBox> { SettingsBox() }

    /// The verifier for the worker's vars.
    static func verifier(env: Env, ctx: ExecutionContext) throws -> JWTVerifier {
        let cache = try env.kv("CACHE")
        let settings = try settingsByBindings.value(for: cache).get { try Self.readSettings(env) }
        return JWTVerifier(
            configuration: settings.configuration,
            keys: JWKSCache(
                url: settings.jwksURL, kv: cache, fetcher: TracedFetcher(env, ctx), clock: env.clock, logger: ctx.logger,
                configuration: keySetPolicy, memory: keyMemory),
            clock: env.clock)
    }

    /// The settings in `env`'s vars.
    static func readSettings(_ env: Env) throws -> Settings {
        guard let issuer = env.vars["CLERK_ISSUER"], !issuer.isEmpty, let jwksURL = env.vars["CLERK_JWKS_URL"], jwksURL.hasPrefix("https://")
        else {
            throw HTTPError(500, "CLERK_ISSUER and CLERK_JWKS_URL (https) must be set")
        }
        let parties = (env.vars["CLERK_AUTHORIZED_PARTIES"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return Settings(
            configuration: JWTVerifier.Configuration(
                issuer: issuer, authorizedParties: parties.isEmpty ? nil : parties, requiresAuthorizedParty: false, algorithms: [.rs256],
                clockSkew: .seconds(5)),
            jwksURL: jwksURL)
    }

    /// The settings of one set of bindings, read at first use.
    final class SettingsBox: Sendable {
        private let stored = Mutex<Settings?>(nil)

        func get(_ read: () throws -> Settings) throws -> Settings {
            if let settings = stored.withLock({ $0 }) { return settings }
            let settings = try read()
            stored.withLock { $0 = settings }
            return settings
        }
    }

    /// `handler` behind the session check: called with the session, or never (a 401).
    static func requireSession(
        _ handler: @escaping @Sendable (Request, Env, ExecutionContext, Session) async throws -> Response
    ) -> Router.Handler {
        { request, env, ctx in
            try await handler(request, env, ctx, try await authenticate(request, env: env, ctx: ctx))
        }
    }
}

extension Error {
    /// What a client may be told of a refused token.
    fileprivate var message: String {
        (self as? any HTTPResponseError)?.message ?? "invalid token"
    }
}
