import Drover
import Foundation

/// A local stand-in for Stripe's payment intents, and a maker of signed Stripe webhooks.
///
/// - `POST /v1/payment_intents` (form fields, as Stripe takes them: `amount`, `currency`): the
///   bearer key must equal the var `FAKE_STRIPE_API_KEY` (`sk_test_local_example` by default), else 401.
///   With an `Idempotency-Key`, a repeat with the same fields answers the first response with
///   `Idempotent-Replayed: true`; other fields under the same key answer 400 `idempotency_error`,
///   as Stripe does (https://docs.stripe.com/api/idempotent_requests).
/// - `POST /__fakes/stripe/webhook` `{"type": "payment_intent.succeeded", "data": {...}, "deliverTo"?: URL}`:
///   the event, and the `Stripe-Signature` header that signs it under the var
///   `FAKE_STRIPE_WEBHOOK_SECRET` (`whsec_local_example` by default), ready to send to the app's
///   `POST /webhooks/stripe` — or sent there at once when `deliverTo` names it (a URL on this
///   machine), the app's answer under `delivered`.
enum PaymentsFake {
    static func install(on router: inout Router) {
        router.post("/v1/payment_intents") { request, env, _ in
            try await FakeLedger.serve("payments", request, env) {
                guard request.bearerToken == (env.vars["FAKE_STRIPE_API_KEY"] ?? "sk_test_local_example") else {
                    return (stripeError(401, "invalid_request_error", "Invalid API Key provided"), nil)
                }
                let fields = form(try await request.text())
                guard let amount = fields["amount"].flatMap(Int64.init), amount > 0, let currency = fields["currency"], !currency.isEmpty else {
                    return (stripeError(400, "invalid_request_error", "amount (a positive integer) and currency are required"), nil)
                }
                let kv = try env.kv("FAKES")
                let fingerprint = Hex.encode(Crypto.sha256(Array("\(amount)|\(currency)".utf8)))
                let key = request.headers["idempotency-key"]
                if let key, let text = try await kv.get("payments:idempotency:" + key), let stored = try? JSONParser.parse(text) {
                    guard stored["fingerprint"]?.stringValue == fingerprint else {
                        return (stripeError(
                            400, "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters they were first used with."), nil)
                    }
                    return (Response.json(stored["intent"] ?? .null, headers: ["Idempotent-Replayed": "true"]), ["replayed": true])
                }
                let intent: JSONValue = [
                    "id": .string("pi_" + Hex.encode(Crypto.randomBytes(count: 12))), "object": "payment_intent",
                    "amount": .integer(amount), "currency": .string(currency.lowercased()), "status": "requires_payment_method",
                    "created": .integer(env.clock.nowSeconds()),
                ]
                if let key {
                    try await kv.put(
                        "payments:idempotency:" + key, json: ["fingerprint": .string(fingerprint), "intent": intent],
                        options: KVPutOptions(expirationTtl: 86_400))
                }
                return (Response.json(intent), ["amount": .integer(amount), "currency": .string(currency)])
            }
        }
        router.post("/__fakes/stripe/webhook") { request, env, _ in
            let event = (try? await request.json()) ?? [:]
            let payload: JSONValue = [
                "id": .string("evt_" + Hex.encode(Crypto.randomBytes(count: 12))), "object": "event",
                "type": event["type"] ?? "payment_intent.succeeded", "created": .integer(env.clock.nowSeconds()),
                "data": ["object": event["data"] ?? ["id": "pi_fake", "object": "payment_intent", "status": "succeeded"]],
            ]
            let body = JSONSerializer.string(payload)
            let timestamp = env.clock.nowSeconds()
            let secret = env.vars["FAKE_STRIPE_WEBHOOK_SECRET"] ?? "whsec_local_example"
            let signature = Hex.encode(Crypto.hmacSHA256(key: Array(secret.utf8), data: Array("\(timestamp).\(body)".utf8)))
            return try await FakeDelivery.answer(
                body: body, headers: [("Stripe-Signature", "t=\(timestamp),v1=\(signature)")], deliverTo: event["deliverTo"]?.stringValue, env: env)
        }
    }

    /// `application/x-www-form-urlencoded` fields (the last of a repeated name).
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in (part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(part) }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func stripeError(_ status: Int, _ type: String, _ message: String) -> Response {
        .json(["error": ["type": .string(type), "message": .string(message)]], status: status)
    }
}
