import Drover
import DroverTestSupport
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Webhook signature headers")
struct WebhookHeaderParsingTests {
    @Test("timestamps: plain digits up to Int64.max, nothing else")
    func timestamps() {
        #expect(WebhookTimestamp.parse("0") == 0)
        #expect(WebhookTimestamp.parse("1614265330") == 1_614_265_330)
        #expect(WebhookTimestamp.parse("0001614265330") == 1_614_265_330)
        #expect(WebhookTimestamp.parse("9223372036854775807") == .max)
        for refused in ["", "9223372036854775808", "-1", "+1", "1.0", "1e9", " 1", "1 ", "0x10", "١٢٣", "1\u{0}", "½"] {
            #expect(WebhookTimestamp.parse(refused) == nil, "\(refused)")
        }
    }

    @Test("ages saturate instead of overflowing")
    func ages() {
        #expect(WebhookTimestamp.age(of: 100, now: 400) == 300)
        #expect(WebhookTimestamp.age(of: 400, now: 100) == -300)
        #expect(WebhookTimestamp.age(of: .max, now: -10) == .min)
        #expect(WebhookTimestamp.age(of: 0, now: .max) == .max)
        #expect(WebhookTimestamp.seconds(.milliseconds(300_999)) == 300)
        #expect(WebhookTimestamp.seconds(.seconds(-1)) == 0)
    }

    @Test("svix-signature: v1 entries count and are compared, other versions and comma-less entries skipped")
    func svixList() throws {
        // Standard Webhooks 1.0.0's example header value.
        let example = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= "
            + "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="
        let list = SvixSignatureList(parsing: example)
        let signature = try #require(Base64.decode("K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="))
        #expect(list.count == 1)
        #expect(list.match(signature) == (true, 0))
        let ed25519 = try #require(Base64.decode("hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="))
        #expect(list.match(ed25519) == (false, 0))

        let mixed = SvixSignatureList(parsing: "v1,AAAA  v1,!!!! v2,DDDD v1 ,v1,BBBB v1,AA,AA v1,CCCC")
        #expect(mixed.count == 4)  // AAAA, !!!!, "AA,AA", CCCC
        #expect(mixed.match([0, 0, 0]) == (true, 2))  // "!!!!" and "AA,AA" are not base64
        #expect(mixed.match(try #require(Base64.decode("CCCC"))) == (true, 2))
        #expect(mixed.match(try #require(Base64.decode("DDDD"))).matched == false)  // v2
        #expect(mixed.match(try #require(Base64.decode("BBBB"))).matched == false)  // version ""
        #expect(SvixSignatureList(parsing: "").count == 0)
        // A combining mark after the space does not glue the entries together.
        let marked = SvixSignatureList(parsing: "v1,AAAA \u{301}v1,BBBB v1,CCCC")
        #expect(marked.count == 2)
        #expect(marked.match(try #require(Base64.decode("CCCC"))) == (true, 0))
    }

    @Test("Stripe-Signature: t once, v1 counted and compared, the rest ignored")
    func stripeHeader() throws {
        let header = try StripeSignatureHeader(parsing: "x=1,t=42,v0=ff,v1=00ff,v1=zz,=v1,v1=ABCD,v1")
        #expect(header.timestamp == 42)
        #expect(header.count == 3)
        #expect(header.match([0x00, 0xFF]) == (true, 1))
        #expect(header.match([0xAB, 0xCD]) == (true, 1))
        #expect(header.match([0xFF]).matched == false)  // v0
        // stripe-node keeps the text up to a second "=": here it is not hex.
        let second = try StripeSignatureHeader(parsing: "t=1,v1=00=11")
        #expect(second.count == 1 && second.match([0x00]) == (false, 1))
    }

    @Test("hostile headers of every size never trap: random bytes, random separators, 1 MiB")
    func hostileHeaders() throws {
        var generator = SplitMix64(seed: 0x5747)
        let alphabet = Array("t=v1,0a9fF+/ =.-_\u{0}é\u{301}".unicodeScalars)
        let clock = WebhookTestSupport.clock(at: 1_700_000_000)
        let svix = try SvixWebhookVerifier(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", clock: clock)
        let stripe = try StripeWebhookVerifier(secret: "whsec_test_secret", clock: clock)
        let shopify = try ShopifyWebhookVerifier(secret: "test_secret_key")
        var refusals = 0
        for round in 0..<2_000 {
            let length = Int.random(in: 0...(round % 100 == 0 ? 6_000 : 80), using: &generator)
            let text: String
            if round.isMultiple(of: 2) {
                text = String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
            } else {
                text = String(decoding: generator.bytes(length), as: UTF8.self)
            }
            _ = SvixSignatureList(parsing: text)
            _ = try? StripeSignatureHeader(parsing: text)
            let headers: Headers = [
                "svix-id": "msg_1", "svix-timestamp": "1700000000", "svix-signature": text, "Stripe-Signature": text,
                "X-Shopify-Hmac-Sha256": text,
            ]
            for verifier in [svix, stripe, shopify] as [any WebhookVerifier] {
                if WebhookTestSupport.refusal({ try verifier.verify(body: [0x7B, 0x7D], headers: headers) }) != nil { refusals += 1 }
            }
        }
        #expect(refusals == 6_000)
        let huge = String(repeating: "v1,AAAA ", count: 131_072)  // 1 MiB
        let headers: Headers = ["svix-id": "msg_1", "svix-timestamp": "1700000000", "svix-signature": huge, "Stripe-Signature": huge]
        #expect(WebhookTestSupport.refusal { try svix.verify(body: [0x7B, 0x7D], headers: headers) } == .malformedHeader)
        #expect(WebhookTestSupport.refusal { try stripe.verify(body: [0x7B, 0x7D], headers: headers) } == .malformedHeader)
    }
}
