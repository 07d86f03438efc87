import Drover
import Foundation
import Testing

@testable import DroverIntegrationKit

@Suite("Svix and Standard Webhooks signatures")
struct SvixWebhookVerifierTests {
    // The vector of the svix and standardwebhooks libraries' tests ("sign function works").
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    static func headers(
        id: String = id,
        timestamp: String = String(timestamp),
        signature: String = signature,
        prefix: String = "svix-"
    ) -> Headers {
        [prefix + "id": id, prefix + "timestamp": timestamp, prefix + "signature": signature]
    }

    static func verifier(at now: Int64 = timestamp, secret: String = secret) throws -> SvixWebhookVerifier {
        try SvixWebhookVerifier(secret: secret, clock: WebhookTestSupport.clock(at: now))
    }

    @Test("accepts the libraries' vector, with the whsec_ prefix or without, under svix- and webhook- names")
    func libraryVector() throws {
        for secret in [Self.secret, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            let verifier = try Self.verifier(secret: secret)
            try verifier.verify(body: Self.body, headers: Self.headers())
            try verifier.verify(body: Self.body, headers: Self.headers(prefix: "webhook-"))
            try verifier.verify(body: Self.body, headers: Self.headers(prefix: "Svix-"))
        }
    }

    @Test("the svix- set is used when complete, else the webhook- set; a mix of the two is missing headers")
    func headerSets() throws {
        let verifier = try Self.verifier()
        var headers = Self.headers(prefix: "webhook-")
        headers.append("svix-id", Self.id)
        headers.append("svix-timestamp", String(Self.timestamp))
        try verifier.verify(body: Self.body, headers: headers)  // svix- incomplete: webhook- used
        headers.append("svix-signature", "v1,AAAA")
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: headers) } == .noMatchingSignature)
        let mixed: Headers = ["svix-id": Self.id, "webhook-timestamp": String(Self.timestamp), "svix-signature": Self.signature]
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: mixed) } == .missingHeader)
    }

    @Test(
        "accepts signatures made by openssl for bodies that are not UTF-8, empty, or 2 KiB",
        arguments: [WebhookTestSupport.notUTF8, [], WebhookTestSupport.randomBody(2048, seed: 2)])
    func opensslSignatures(body: [UInt8]) throws {
        let key = try #require(Base64.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let content = Array("\(Self.id).\(Self.timestamp).".utf8) + body
        let signature = "v1," + Base64.encode(try WebhookTestSupport.opensslHMAC(key: key, data: content))
        try Self.verifier().verify(body: body, headers: Self.headers(signature: signature))
        #expect(
            WebhookTestSupport.refusal { try Self.verifier().verify(body: body + [0], headers: Self.headers(signature: signature)) }
                == .noMatchingSignature)
    }

    @Test("several signatures: one valid v1 among wrong ones and other versions passes")
    func severalSignatures() throws {
        // The standardwebhooks test "multi sig payload is valid".
        let wrong = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        let list = ["v1," + wrong, "v2," + wrong, Self.signature, "v1," + wrong].joined(separator: " ")
        try Self.verifier().verify(body: Self.body, headers: Self.headers(signature: list))
        // A rotated secret's signature first, the current one last; v1a (ed25519) entries skipped.
        let rotated = "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== v1,\(wrong) \(Self.signature)"
        try Self.verifier().verify(body: Self.body, headers: Self.headers(signature: rotated))
        // Doubled spaces and a comma-less entry are skipped, as by the libraries.
        try Self.verifier().verify(body: Self.body, headers: Self.headers(signature: "v1  garbage  " + Self.signature))
    }

    @Test("tolerance: exactly 300 s either way passes, 301 s is too old or too new")
    func toleranceEdges() throws {
        let clock = WebhookTestSupport.clock(at: Self.timestamp + 300)
        let verifier = try SvixWebhookVerifier(secret: Self.secret, clock: clock)
        try verifier.verify(body: Self.body, headers: Self.headers())
        clock.advance(by: 1)
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: Self.headers()) } == .timestampTooOld)
        clock.set(Date(timeIntervalSince1970: TimeInterval(Self.timestamp - 300)))
        try verifier.verify(body: Self.body, headers: Self.headers())
        clock.advance(by: -1)
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: Self.body, headers: Self.headers()) } == .timestampTooNew)
        // Within the second: 300.999 s later still reads as 300 whole seconds.
        clock.set(Date(timeIntervalSince1970: TimeInterval(Self.timestamp + 300) + 0.999))
        try verifier.verify(body: Self.body, headers: Self.headers())
    }

    @Test("a configured tolerance; a negative one counts as zero")
    func configuredTolerance() throws {
        let clock = WebhookTestSupport.clock(at: Self.timestamp + 10)
        let ten = try SvixWebhookVerifier(secret: Self.secret, clock: clock, tolerance: .seconds(10))
        try ten.verify(body: Self.body, headers: Self.headers())
        clock.advance(by: 1)
        #expect(WebhookTestSupport.refusal { try ten.verify(body: Self.body, headers: Self.headers()) } == .timestampTooOld)
        clock.set(Date(timeIntervalSince1970: TimeInterval(Self.timestamp)))
        let negative = try SvixWebhookVerifier(secret: Self.secret, clock: clock, tolerance: .seconds(-5))
        try negative.verify(body: Self.body, headers: Self.headers())
        clock.advance(by: 1)
        #expect(WebhookTestSupport.refusal { try negative.verify(body: Self.body, headers: Self.headers()) } == .timestampTooOld)
    }

    @Test("the timestamp is signed as the number it spells, as the libraries sign it: leading zeros change nothing")
    func canonicalTimestamp() throws {
        try Self.verifier().verify(body: Self.body, headers: Self.headers(timestamp: "0" + String(Self.timestamp)))
    }

    static let refusals: [WebhookRefusalCase] = {
        let body = SvixWebhookVerifierTests.body
        return [
            WebhookRefusalCase("no svix-id", body, ["svix-timestamp": String(timestamp), "svix-signature": signature], .missingHeader),
            WebhookRefusalCase("no svix-timestamp", body, ["svix-id": id, "svix-signature": signature], .missingHeader),
            WebhookRefusalCase("no svix-signature", body, ["svix-id": id, "svix-timestamp": String(timestamp)], .missingHeader),
            WebhookRefusalCase("an empty svix-id", body, headers(id: ""), .missingHeader),
            WebhookRefusalCase("no headers", body, [:], .missingHeader),
            WebhookRefusalCase("a timestamp that is a word", body, headers(timestamp: "hello"), .malformedHeader),
            WebhookRefusalCase("a fractional timestamp", body, headers(timestamp: "1614265330.5"), .malformedHeader),
            WebhookRefusalCase("a negative timestamp", body, headers(timestamp: "-1614265330"), .malformedHeader),
            WebhookRefusalCase("a timestamp with a space", body, headers(timestamp: " 1614265330"), .malformedHeader),
            WebhookRefusalCase("a timestamp past Int64", body, headers(timestamp: String(repeating: "9", count: 30)), .malformedHeader),
            WebhookRefusalCase("an id holding a dot", body, headers(id: "msg_1.1614265330"), .malformedHeader),
            WebhookRefusalCase("a 5,000-byte signature header", body, headers(signature: String(repeating: "v1,AAAA ", count: 625)), .malformedHeader),
            WebhookRefusalCase("an old timestamp with a valid signature", body, headers(timestamp: "1614264000"), .timestampTooOld),
            WebhookRefusalCase("a timestamp in 1970", body, headers(timestamp: "0"), .timestampTooOld),
            WebhookRefusalCase("a timestamp far ahead", body, headers(timestamp: "9223372036854775807"), .timestampTooNew),
            WebhookRefusalCase("only a v2 signature", body, headers(signature: "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), .noSupportedSignature),
            WebhookRefusalCase("only a v1a signature", body, headers(signature: "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=="), .noSupportedSignature),
            WebhookRefusalCase("no comma", body, headers(signature: "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), .noSupportedSignature),
            WebhookRefusalCase("a partial signature (standardwebhooks test)", body, headers(signature: "v1,g0hM9"), .invalidEncoding),
            WebhookRefusalCase("v1 and nothing", body, headers(signature: "v1,"), .noMatchingSignature),
            WebhookRefusalCase("an invalid signature (standardwebhooks test)", body, headers(signature: "v1,dawfeoifkpqwoekfpqoekf"), .invalidEncoding),
            WebhookRefusalCase("a signature of the wrong length", body, headers(signature: "v1,dawfeoifkpqwoekfpqoekfpq"), .noMatchingSignature),
            WebhookRefusalCase("base64url symbols", body, headers(signature: "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE="), .invalidEncoding),
            WebhookRefusalCase("another id", body, headers(id: "msg_p5jXN8AQM9LWM0D4loKWxJeK"), .noMatchingSignature),
            WebhookRefusalCase("another timestamp", body, headers(timestamp: "1614265331"), .noMatchingSignature),
            WebhookRefusalCase("the body re-serialised", Array(#"{"test":2432232314}"#.utf8), headers(), .noMatchingSignature),
        ]
    }()

    @Test("refuses, each with its reason", arguments: refusals)
    func refusal(_ refusal: WebhookRefusalCase) throws {
        let verifier = try Self.verifier()
        #expect(WebhookTestSupport.refusal { try verifier.verify(body: refusal.body, headers: refusal.headers) } == refusal.expected)
    }

    @Test(
        "refuses a secret that is empty or not base64 after whsec_",
        arguments: ["", "whsec_", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", "whsec_not base64!", "whsec_MfKQ9r8G-KYqrTwjUPD8ILPZIo2LaLaSw"])
    func invalidSecret(secret: String) {
        #expect(
            WebhookTestSupport.refusal { _ = try SvixWebhookVerifier(secret: secret, clock: WebhookTestSupport.clock(at: 0)) }
                == .invalidSecret)
    }
}
