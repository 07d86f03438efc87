import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Webhook signature refusals as answers")
struct WebhookSignatureErrorTests {
    static let reasons: [(WebhookSignatureError.Reason, Int, String)] = [
        (.missingHeader, 401, "missing webhook signature"),
        (.malformedHeader, 401, "invalid webhook signature"),
        (.invalidEncoding, 401, "invalid webhook signature"),
        (.missingBody, 401, "invalid webhook signature"),
        (.timestampTooOld, 401, "webhook timestamp outside the tolerance"),
        (.timestampTooNew, 401, "webhook timestamp outside the tolerance"),
        (.noSupportedSignature, 401, "invalid webhook signature"),
        (.noMatchingSignature, 401, "invalid webhook signature"),
        (.invalidSecret, 500, "internal server error"),
    ]

    @Test("each reason answers its status and a safe message, never the detail")
    func answers() async throws {
        for (reason, status, message) in Self.reasons {
            let error = WebhookSignatureError(reason, "svix-signature v1 detail only for the log")
            #expect(error.status == status)
            #expect(error.message == message)
            #expect(error.description == "\(reason): svix-signature v1 detail only for the log")
            let response = error.response
            #expect(response.status == status)
            #expect(try await response.json() == ["error": .string(message)])
        }
    }

    @Test("reasons are equal only to themselves")
    func reasonsCompare() {
        let all = Self.reasons.map(\.0)
        for (index, reason) in all.enumerated() {
            #expect(all.indices.filter { all[$0] == reason } == [index])
        }
    }

    static let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "shpss_topsecret", "whsec_test_secret"]

    @Test("printing, dumping or reflecting a verifier never shows its secret or key")
    func redaction() throws {
        let clock = WebhookTestSupport.clock(at: 0)
        let verifiers: [any WebhookVerifier] = [
            try ShopifyWebhookVerifier(secret: "shpss_topsecret"),
            try SvixWebhookVerifier(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", clock: clock),
            try StripeWebhookVerifier(secret: "whsec_test_secret", clock: clock),
        ]
        let svixKey = try #require(Base64.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        for verifier in verifiers {
            var dumped = ""
            dump(verifier, to: &dumped)
            for text in [String(describing: verifier), String(reflecting: verifier), "\(verifier)", dumped] {
                #expect(text.contains("hidden"), "\(text)")
                for secret in Self.secrets {
                    #expect(!text.contains(secret), "\(text)")
                    #expect(!text.contains(String(describing: Array(secret.utf8)).dropLast()), "\(text)")
                }
                #expect(!text.contains(String(describing: svixKey).dropLast()), "\(text)")
            }
        }
    }

    @Test("the detail names the header and the rule, never the signature sent or the secret")
    func detailIsSafe() throws {
        let sent = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        let verifier = try SvixWebhookVerifier(secret: SvixWebhookVerifierTests.secret, clock: WebhookTestSupport.clock(at: 1_614_265_330))
        do {
            try verifier.verify(body: [0x7B, 0x7D], headers: SvixWebhookVerifierTests.headers(signature: sent))
            Issue.record("a wrong signature was accepted")
        } catch {
            #expect(error.reason == .noMatchingSignature)
            #expect(error.detail.contains("svix-signature"))
            #expect(!error.detail.contains("Ceo5qEr07ixe"))
            #expect(!error.detail.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        }
        do {
            try verifier.verify(body: [], headers: SvixWebhookVerifierTests.headers(timestamp: "1614264000"))
            Issue.record("an old timestamp was accepted")
        } catch {
            #expect(error.detail == "svix-timestamp 1614264000 is 1330 s before now; the tolerance is 300 s")
        }
    }
}

@Suite("Request.verifiedBody in a handler")
struct RequestVerifiedBodyTests {
    static func env(secret: String, now: Int64) -> Env {
        Env(bindings: ["STRIPE_WEBHOOK_SECRET": .secret(secret)], fetch: NoFetcher(), clock: WebhookTestSupport.clock(at: now))
    }

    /// The contract's Stripe route, written as a worker would write it.
    static func router() -> Router {
        var router = Router()
        router.post("/webhooks/stripe") { request, env, _ in
            let body = try await request.verifiedBody(
                using: StripeWebhookVerifier(secret: env.secret("STRIPE_WEBHOOK_SECRET"), clock: env.clock))
            let event = try JSONParser.parse(body)
            return .json(["received": true, "id": event["id"] ?? .null])
        }
        return router
    }

    static func request(body: [UInt8], signature: String) -> Request {
        Request(method: "POST", target: "/webhooks/stripe", headers: ["Stripe-Signature": signature], body: Body(bytes: body))
    }

    @Test("a signed webhook is answered 200 with its verified body; a forged one 401; a bad secret binding 500")
    func handler() async throws {
        let body = StripeWebhookVerifierTests.body
        let t = StripeWebhookVerifierTests.timestamp
        let signature = "t=\(t),v1=\(try StripeWebhookVerifierTests.opensslSignature())"
        let ctx = ExecutionContext(logger: .disabled)
        let router = Self.router()

        let accepted = try await router.fetch(
            Self.request(body: body, signature: signature), env: Self.env(secret: "whsec_test_secret", now: t), ctx: ctx)
        #expect(accepted.status == 200)
        #expect(try await accepted.json() == ["received": true, "id": "evt_test_webhook"])

        let forged = try await router.fetch(
            Self.request(body: body + [0x20], signature: signature), env: Self.env(secret: "whsec_test_secret", now: t), ctx: ctx)
        #expect(forged.status == 401)
        #expect(try await forged.json() == ["error": "invalid webhook signature"])

        let late = try await router.fetch(
            Self.request(body: body, signature: signature), env: Self.env(secret: "whsec_test_secret", now: t + 301), ctx: ctx)
        #expect(late.status == 401)
        #expect(try await late.json() == ["error": "webhook timestamp outside the tolerance"])

        let unsigned = try await router.fetch(
            Request(method: "POST", target: "/webhooks/stripe", body: Body(bytes: body)), env: Self.env(secret: "whsec_test_secret", now: t),
            ctx: ctx)
        #expect(unsigned.status == 401)
        #expect(try await unsigned.json() == ["error": "missing webhook signature"])

        let misconfigured = try await router.fetch(
            Self.request(body: body, signature: signature), env: Self.env(secret: "whsec_test_secret\n", now: t), ctx: ctx)
        #expect(misconfigured.status == 500)
        #expect(try await misconfigured.json() == ["error": "internal server error"])
    }

    @Test("verifiedBody returns the bytes as received and throws the typed refusal")
    func verifiedBody() async throws {
        let verifier = try ShopifyWebhookVerifier(secret: "test_secret_key")
        let body = Array(#"{"foo": "bar"}"#.utf8)
        let request = Request(
            method: "POST", headers: ["X-Shopify-Hmac-Sha256": "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="], body: Body(bytes: body))
        #expect(try await request.verifiedBody(using: verifier) == body)
        let forged = Request(method: "POST", headers: ["X-Shopify-Hmac-Sha256": "AAAA"], body: Body(bytes: body))
        await #expect(throws: WebhookSignatureError.self) { try await forged.verifiedBody(using: verifier) }
    }
}
