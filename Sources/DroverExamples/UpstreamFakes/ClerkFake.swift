import Drover
import Foundation

/// A local stand-in for Clerk, the identity provider:
///
/// - `GET /.well-known/jwks.json` — the JWKS with the fake's own RS256 key (kid ``keyID``), made at
///   first use and kept in KV (`clerk:key`), so tokens stay valid across restarts;
/// - `POST /__fakes/clerk/token` `{"sub", "sid"?, "azp"?, "lifetime"? (s, 3600), "nbfOffset"? (s, -10)}`
///   (both within a year either way)
///   — a session token signed with that key: `iss` the var `FAKE_CLERK_ISSUER`, `iat` now, `nbf`
///   now + nbfOffset, `exp` now + lifetime (a negative lifetime makes an expired one), as Clerk's
///   session tokens carry them, for `curl -H "Authorization: Bearer $TOKEN"` against `GET /api/me`;
/// - `POST /__fakes/clerk/webhook` `{"type": "user.created", "data": {...}, "deliverTo"?: URL}` — the
///   event (with Clerk's `timestamp`), and the `svix-id`, `svix-timestamp` and `svix-signature`
///   fields that sign it under the var `FAKE_CLERK_WEBHOOK_SECRET` (a `whsec_` value), ready for the
///   app's `POST /webhooks/clerk` — or sent there at once when `deliverTo` names it (a URL on this
///   machine), the app's answer under `delivered`.
enum ClerkFake {
    /// The `kid` of the fake's key.
    static let keyID = "ins_fake_clerk_1"

    static func install(on router: inout Router) {
        router.get("/.well-known/jwks.json") { request, env, _ in
            try await FakeLedger.serve("clerk", request, env) {
                Response.json(["keys": [try await signingKey(env).publicJWK(keyID: keyID)]])
            }
        }
        router.post("/__fakes/clerk/token") { request, env, _ in
            let asked = (try? await request.json()) ?? [:]
            guard let subject = asked["sub"]?.stringValue, !subject.isEmpty else { throw HTTPError(400, "sub is required") }
            let now = env.clock.nowSeconds()
            // Within a year either way: the numbers are the caller's, and must not overflow.
            let year: Int64 = 366 * 86_400
            let lifetime = min(max(asked["lifetime"]?.integerValue ?? 3_600, -year), year)
            let nbfOffset = min(max(asked["nbfOffset"]?.integerValue ?? -10, -year), year)
            let claims: JSONValue = [
                "iss": .string(env.vars["FAKE_CLERK_ISSUER"] ?? "https://clerk.example.test"), "sub": .string(subject),
                "sid": asked["sid"] ?? .string("sess_fake_" + Hex.encode(Crypto.randomBytes(count: 8))),
                "azp": asked["azp"] ?? "http://localhost:8787", "iat": .integer(now),
                "nbf": .integer(now + nbfOffset), "exp": .integer(now + lifetime),
            ]
            let header: JSONValue = ["alg": "RS256", "kid": .string(keyID), "typ": "JWT"]
            let input = Base64URL.encode(JSONSerializer.bytes(header)) + "." + Base64URL.encode(JSONSerializer.bytes(claims))
            let token = input + "." + Base64URL.encode(try await signingKey(env).signRS256(Array(input.utf8)))
            return .json(["token": .string(token), "claims": claims])
        }
        router.post("/__fakes/clerk/webhook") { request, env, _ in
            let event = (try? await request.json()) ?? [:]
            // Clerk's envelope: the event's time in milliseconds, as Clerk stamps it.
            let body = JSONSerializer.string([
                "type": event["type"] ?? "user.created", "object": "event", "timestamp": .integer(env.clock.nowMilliseconds()),
                "data": event["data"] ?? ["id": "user_fake", "email_addresses": [["email_address": "ada@example.com"]], "first_name": "Ada"],
            ])
            let secret = env.vars["FAKE_CLERK_WEBHOOK_SECRET"] ?? ""
            guard secret.hasPrefix("whsec_"), let key = Base64.decode(secret.dropFirst(6)) else {
                throw HTTPError(500, "FAKE_CLERK_WEBHOOK_SECRET must be a whsec_ value")
            }
            let id = "msg_" + Hex.encode(Crypto.randomBytes(count: 12))
            let timestamp = env.clock.nowSeconds()
            let signature = Base64.encode(Crypto.hmacSHA256(key: key, data: Array("\(id).\(timestamp).\(body)".utf8)))
            return try await FakeDelivery.answer(
                body: body, headers: [("svix-id", id), ("svix-timestamp", String(timestamp)), ("svix-signature", "v1,\(signature)")],
                deliverTo: event["deliverTo"]?.stringValue, env: env)
        }
    }

    /// The fake's signing key: the one in KV, or a new one stored there (when two first calls race,
    /// both end up with the one stored last).
    static func signingKey(_ env: Env) async throws -> RSASigningKey {
        let kv = try env.kv("FAKES")
        if let pem = try await kv.get("clerk:key") { return try RSASigningKey(pem: pem) }
        try await kv.put("clerk:key", try RSASigningKey.generate().pem)
        return try RSASigningKey(pem: try await kv.get("clerk:key") ?? "")
    }
}
