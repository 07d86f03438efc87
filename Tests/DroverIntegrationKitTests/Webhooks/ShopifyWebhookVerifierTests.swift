import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Shopify webhook signatures")
struct ShopifyWebhookVerifierTests {
    static let secret = "test_secret_key"

    static func headers(_ signature: String) -> Headers {
        ["X-Shopify-Hmac-Sha256": signature, "X-Shopify-Topic": "orders/create"]
    }

    @Test("accepts the vector of Shopify's own library tests (@shopify/shopify-api webhooks/validate)")
    func libraryVector() throws {
        // `shopify.webhooks.validate` test: apiSecretKey "test_secret_key", rawBody '{"foo": "bar"}'.
        let verifier = try ShopifyWebhookVerifier(secret: Self.secret)
        let body = Array(#"{"foo": "bar"}"#.utf8)
        try verifier.verify(body: body, headers: Self.headers("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="))
    }

    @Test(
        "accepts signatures made by openssl dgst -hmac: JSON, bytes that are not UTF-8, 2 KiB",
        arguments: [
            Array(#"{"id":820982911946154508,"email":"jon@example.com","total_price":"199.65"}"#.utf8),
            WebhookTestSupport.notUTF8,
            WebhookTestSupport.randomBody(2048, seed: 1),
            [0x00],
        ])
    func opensslSignatures(body: [UInt8]) throws {
        let verifier = try ShopifyWebhookVerifier(secret: "shpss_0123456789abcdef0123456789abcdef")
        let signature = Base64.encode(try WebhookTestSupport.opensslHMAC(key: "shpss_0123456789abcdef0123456789abcdef", data: body))
        try verifier.verify(body: body, headers: Self.headers(signature))
        // The header of Shopify's event deliveries is read as well, and first.
        try verifier.verify(body: body, headers: ["Shopify-Hmac-Sha256": signature])
        try verifier.verify(body: body, headers: ["Shopify-Hmac-Sha256": signature, "X-Shopify-Hmac-Sha256": "AAAA"])
        // Unpadded base64 of the same bytes is the same signature.
        try verifier.verify(body: body, headers: Self.headers(String(signature.prefix { $0 != "=" })))
    }

    /// A body, its headers, and the refusal expected.
    static let refusals: [WebhookRefusalCase] = {
        let body = Array(#"{"foo": "bar"}"#.utf8)
        let valid = "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
        return [
            WebhookRefusalCase("an empty body, even signed", [], headers(valid), .missingBody),
            WebhookRefusalCase("no header", body, ["X-Shopify-Topic": "orders/create"], .missingHeader),
            WebhookRefusalCase("an empty header", body, headers(""), .missingHeader),
            WebhookRefusalCase("hex instead of base64", body, headers(Hex.encode(Base64.decode(valid) ?? [])), .noMatchingSignature),
            WebhookRefusalCase("base64url symbols", body, headers("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g-"), .invalidEncoding),
            WebhookRefusalCase("a stray space", body, headers(valid + " "), .invalidEncoding),
            WebhookRefusalCase("not base64 at all", body, headers("sha256=deadbeef!"), .invalidEncoding),
            WebhookRefusalCase("one bit off", body, headers("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7k="), .noMatchingSignature),
            WebhookRefusalCase("the first 16 bytes", body, headers(Base64.encode((Base64.decode(valid) ?? []).prefix(16))), .noMatchingSignature),
            WebhookRefusalCase("the body re-serialised", Array(#"{"foo":"bar"}"#.utf8), headers(valid), .noMatchingSignature),
            WebhookRefusalCase("a header over 4,096 bytes", body, headers(String(repeating: "A", count: 4100)), .malformedHeader),
        ]
    }()

    @Test("refuses, each with its reason", arguments: refusals)
    func refusal(_ refusal: WebhookRefusalCase) throws {
        let verifier = try ShopifyWebhookVerifier(secret: Self.secret)
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: refusal.body, headers: refusal.headers) } == refusal.expected)
    }

    @Test("a signature under another secret does not match")
    func otherSecret() throws {
        let body = Array("{}".utf8)
        let signature = Base64.encode(Crypto.hmacSHA256(key: "other".utf8, data: body))
        let verifier = try ShopifyWebhookVerifier(secret: Self.secret)
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: body, headers: Self.headers(signature)) } == .noMatchingSignature)
    }

    @Test("refuses an empty secret and one holding whitespace", arguments: ["", "test_secret_key\n", " test_secret_key", "test secret"])
    func invalidSecret(secret: String) {
        #expect(WebhookTestSupport.refusal { _ = try ShopifyWebhookVerifier(secret: secret) } == .invalidSecret)
    }
}
