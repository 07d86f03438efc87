import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Stripe webhook signatures")
struct StripeWebhookVerifierTests {
    // stripe-node's webhook tests: secret "whsec_test_secret", the event JSON.stringify'd with two spaces.
    static let secret = "whsec_test_secret"
    static let body = Array("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}".utf8)
    static let timestamp: Int64 = 1_700_000_000
    /// The example header of Stripe's "Verify webhook signatures manually" page.
    static let documentedHeader =
        "t=1492774577,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd,"
        + "v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"

    /// `v1` of `body` at `timestamp` under `secret`, computed by openssl.
    static func opensslSignature(body: [UInt8] = body, timestamp: Int64 = timestamp, secret: String = secret) throws -> String {
        Hex.encode(try WebhookTestSupport.opensslHMAC(key: secret, data: Array("\(timestamp).".utf8) + body))
    }

    static func verifier(at now: Int64 = timestamp, tolerance: Duration = .seconds(300)) throws -> StripeWebhookVerifier {
        try StripeWebhookVerifier(secret: secret, clock: WebhookTestSupport.clock(at: now), tolerance: tolerance)
    }

    @Test(
        "accepts signatures made by openssl: stripe-node's test event, bytes that are not UTF-8, 2 KiB",
        arguments: [body, WebhookTestSupport.notUTF8, WebhookTestSupport.randomBody(2048, seed: 3)])
    func opensslSignatures(body: [UInt8]) throws {
        let signature = try Self.opensslSignature(body: body)
        try Self.verifier().verify(body: body, headers: ["Stripe-Signature": "t=\(Self.timestamp),v1=\(signature)"])
        #expect(
            WebhookTestSupport.refusal {
                try Self.verifier().verify(body: body + [0x0A], headers: ["Stripe-Signature": "t=\(Self.timestamp),v1=\(signature)"])
            } == .noMatchingSignature)
    }

    @Test("reads the documented example header: t, one v1, v0 ignored; a secret that did not sign it does not match")
    func documentedHeader() throws {
        let header = try StripeSignatureHeader(parsing: Self.documentedHeader)
        #expect(header.timestamp == 1_492_774_577)
        #expect(header.count == 1)
        let v1 = try #require(Hex.decode("5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"))
        let v0 = try #require(Hex.decode("6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39"))
        #expect(header.match(v1) == (true, 0))
        #expect(header.match(v0) == (false, 0))
        let verifier = try Self.verifier(at: 1_492_774_577)
        #expect(
            WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: ["Stripe-Signature": Self.documentedHeader]) }
                == .noMatchingSignature)
    }

    @Test("several v1: a rolled secret's and the current one, in any order; v0 and unknown schemes ignored")
    func severalSignatures() throws {
        let valid = try Self.opensslSignature()
        let old = try Self.opensslSignature(secret: "whsec_old_secret")
        for header in [
            "t=\(Self.timestamp),v1=\(old),v1=\(valid)",
            "t=\(Self.timestamp),v1=\(valid),v1=\(old)",
            "v1=\(old),v0=\(old),t=\(Self.timestamp),v2=zz,v1=\(valid),x",
            "t=\(Self.timestamp),v1=not-hex,v1=\(valid)",
        ] {
            try Self.verifier().verify(body: Self.body, headers: ["Stripe-Signature": header])
        }
    }

    @Test("tolerance: 300 s old passes, 301 s is too old; the future is not refused, as in stripe-node")
    func toleranceEdges() throws {
        let signature = try Self.opensslSignature()
        let headers: Headers = ["Stripe-Signature": "t=\(Self.timestamp),v1=\(signature)"]
        let clock = WebhookTestSupport.clock(at: Self.timestamp + 300)
        let verifier = try StripeWebhookVerifier(secret: Self.secret, clock: clock)
        try verifier.verify(body: Self.body, headers: headers)
        clock.advance(by: 1)
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: headers) } == .timestampTooOld)
        clock.set(Date(timeIntervalSince1970: TimeInterval(Self.timestamp - 300)))
        try verifier.verify(body: Self.body, headers: headers)
        clock.advance(by: -86_400)
        try verifier.verify(body: Self.body, headers: headers)
    }

    @Test("a configured tolerance")
    func configuredTolerance() throws {
        let headers: Headers = ["Stripe-Signature": "t=\(Self.timestamp),v1=\(try Self.opensslSignature())"]
        try Self.verifier(at: Self.timestamp + 30, tolerance: .seconds(30)).verify(body: Self.body, headers: headers)
        #expect(
            WebhookTestSupport.refusal {
                try Self.verifier(at: Self.timestamp + 31, tolerance: .seconds(30)).verify(body: Self.body, headers: headers)
            } == .timestampTooOld)
        try Self.verifier(at: Self.timestamp + 3_600, tolerance: .seconds(3_600)).verify(body: Self.body, headers: headers)
    }

    @Test("the signature is checked before the age, as stripe-node does: an old forgery is a mismatch, an old original too old")
    func checkOrder() throws {
        let old = Self.timestamp - 1_000
        let signature = try Self.opensslSignature(timestamp: old)
        let verifier = try Self.verifier()
        let forged: Headers = ["Stripe-Signature": "t=\(old),v1=\(String(repeating: "0", count: 64))"]
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: forged) } == .noMatchingSignature)
        let replayed: Headers = ["Stripe-Signature": "t=\(old),v1=\(signature)"]
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: replayed) } == .timestampTooOld)
    }

    static let refusals: [WebhookRefusalCase] = {
        let body = StripeWebhookVerifierTests.body
        let t = "t=\(timestamp)"
        let zeros = String(repeating: "0", count: 64)
        return [
            WebhookRefusalCase("an empty body", [], ["Stripe-Signature": "\(t),v1=\(zeros)"], .missingBody),
            WebhookRefusalCase("no header", body, [:], .missingHeader),
            WebhookRefusalCase("an empty header", body, ["Stripe-Signature": ""], .missingHeader),
            WebhookRefusalCase("no t", body, ["Stripe-Signature": "v1=\(zeros)"], .malformedHeader),
            WebhookRefusalCase("t twice", body, ["Stripe-Signature": "\(t),\(t),v1=\(zeros)"], .malformedHeader),
            WebhookRefusalCase("t not a number", body, ["Stripe-Signature": "t=abc,v1=\(zeros)"], .malformedHeader),
            WebhookRefusalCase("t empty", body, ["Stripe-Signature": "t=,v1=\(zeros)"], .malformedHeader),
            WebhookRefusalCase("t in milliseconds past Int64", body, ["Stripe-Signature": "t=99999999999999999999,v1=\(zeros)"], .malformedHeader),
            WebhookRefusalCase("t with a sign", body, ["Stripe-Signature": "t=+1700000000,v1=\(zeros)"], .malformedHeader),
            WebhookRefusalCase("just a comma", body, ["Stripe-Signature": ","], .malformedHeader),
            WebhookRefusalCase("a 5,000-byte header", body, ["Stripe-Signature": t + String(repeating: ",v1=00", count: 833)], .malformedHeader),
            WebhookRefusalCase("only v0", body, ["Stripe-Signature": "\(t),v0=\(zeros)"], .noSupportedSignature),
            WebhookRefusalCase("no signature at all", body, ["Stripe-Signature": t], .noSupportedSignature),
            WebhookRefusalCase("V1 in capitals", body, ["Stripe-Signature": "\(t),V1=\(zeros)"], .noSupportedSignature),
            WebhookRefusalCase("v1 not hex", body, ["Stripe-Signature": "\(t),v1=zz"], .invalidEncoding),
            WebhookRefusalCase("v1 of odd length", body, ["Stripe-Signature": "\(t),v1=\(zeros)0"], .invalidEncoding),
            WebhookRefusalCase("v1 wrong", body, ["Stripe-Signature": "\(t),v1=\(zeros)"], .noMatchingSignature),
            WebhookRefusalCase("v1 empty", body, ["Stripe-Signature": "\(t),v1="], .noMatchingSignature),
        ]
    }()

    @Test("refuses, each with its reason", arguments: refusals)
    func refusal(_ refusal: WebhookRefusalCase) throws {
        let verifier = try Self.verifier()
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: refusal.body, headers: refusal.headers) } == refusal.expected)
    }

    @Test("the key is the whole secret text, whsec_ included")
    func keyIsTheWholeSecret() throws {
        let withoutPrefix = try Self.opensslSignature(secret: "test_secret")
        #expect(
            WebhookTestSupport.refusal {
                try Self.verifier().verify(body: Self.body, headers: ["Stripe-Signature": "t=\(Self.timestamp),v1=\(withoutPrefix)"])
            } == .noMatchingSignature)
    }

    @Test("refuses an empty secret and one holding whitespace", arguments: ["", "whsec_test_secret\n", "\twhsec_test_secret", "whsec test"])
    func invalidSecret(secret: String) {
        #expect(
            WebhookTestSupport.refusal { _ = try StripeWebhookVerifier(secret: secret, clock: WebhookTestSupport.clock(at: 0)) }
                == .invalidSecret)
    }
}
