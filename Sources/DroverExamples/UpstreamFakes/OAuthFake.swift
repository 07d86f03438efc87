import Drover
import Foundation

/// A local stand-in for an OAuth 2.0 provider's authorization-code flow (RFC 6749 §4.1):
///
/// - `GET /oauth/authorize?response_type=code&client_id=…&redirect_uri=…&state=…` approves at once
///   (there is no user to ask) and answers 302 to `redirect_uri?code=…&state=…`;
/// - `POST /oauth/token` (form: `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id`)
///   exchanges a code once, within 10 minutes, for `{"access_token", "token_type": "Bearer",
///   "expires_in": 3600}`; anything else is 400 `{"error": "invalid_grant"}` (or
///   `unsupported_grant_type`, `invalid_request`).
enum OAuthFake {
    static func install(on router: inout Router) {
        router.get("/oauth/authorize") { request, env, _ in
            try await FakeLedger.serve("oauth", request, env) {
                let query = request.query
                guard query["response_type"] == "code", let client = query["client_id"], !client.isEmpty,
                    let redirect = query["redirect_uri"], var target = URLComponents(string: redirect), target.scheme != nil
                else {
                    return Response.json(["error": "invalid_request"], status: 400)
                }
                let code = Hex.encode(Crypto.randomBytes(count: 16))
                try await env.kv("FAKES").put(
                    "oauth:code:" + code, json: ["client_id": .string(client), "redirect_uri": .string(redirect)],
                    options: KVPutOptions(expirationTtl: 600))
                var items = target.queryItems ?? []
                items.append(URLQueryItem(name: "code", value: code))
                if let state = query["state"] { items.append(URLQueryItem(name: "state", value: state)) }
                target.queryItems = items
                return Response(status: 302, headers: ["Location": target.string ?? redirect])
            }
        }
        router.post("/oauth/token") { request, env, _ in
            try await FakeLedger.serve("oauth", request, env) {
                let fields = PaymentsFake.form(try await request.text())
                guard fields["grant_type"] == "authorization_code" else {
                    return Response.json(["error": "unsupported_grant_type"], status: 400)
                }
                guard let code = fields["code"] else { return Response.json(["error": "invalid_request"], status: 400) }
                let kv = try env.kv("FAKES")
                guard let text = try await kv.get("oauth:code:" + code), let issued = try? JSONParser.parse(text),
                    issued["redirect_uri"]?.stringValue == fields["redirect_uri"], issued["client_id"]?.stringValue == fields["client_id"]
                else {
                    return Response.json(["error": "invalid_grant"], status: 400)
                }
                try await kv.delete("oauth:code:" + code)  // a code is good once
                return Response.json([
                    "access_token": .string("fake_at_" + Hex.encode(Crypto.randomBytes(count: 16))), "token_type": "Bearer", "expires_in": 3600,
                ])
            }
        }
    }
}
