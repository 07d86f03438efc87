import Drover
import DroverIntegrationKit
import Foundation

/// `Benchmarks webhooks [iterations]`: the integration kit's webhook verifiers on a 2 KiB body,
/// beside the primitive they are built on, `Crypto.hmacSHA256` of the same 2 KiB, in the same run.
///
/// The verifiers' work beyond the HMAC — finding the headers, parsing them, decoding the signature,
/// the constant-time comparison, (Svix, Stripe) building the signed content and reading the clock —
/// is the overhead measured; the goal is at least 80% of the primitive's rate. Each figure is the
/// best of three interleaved rounds, in CPU time, so another process on the core weighs less.
/// `openssl speed -hmac sha256 -bytes 2048 -seconds 3` gives libcrypto's own rate for comparison
/// (it keys one context once and reuses it, which `EVP_Q_mac` does not).
enum WebhookBenchmark {
    static func run(arguments: [String]) async throws {
        let iterations = arguments.first.flatMap(Int.init) ?? 200_000
        var generator = SystemRandomNumberGenerator()
        let body = (0..<2048).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }
        let timestamp: Int64 = 1_700_000_000
        let clock = ManualWallClock(Date(timeIntervalSince1970: TimeInterval(timestamp)))
        let common: [(String, String)] = [
            ("Host", "hooks.example.com"), ("User-Agent", "Shopify-Captain-Hook"), ("Content-Type", "application/json"),
            ("Content-Length", "2048"), ("Accept-Encoding", "gzip"), ("X-Forwarded-For", "203.0.113.7"),
        ]

        let shopifySecret = "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"
        let shopify = try ShopifyWebhookVerifier(secret: shopifySecret)
        let shopifyHeaders = Headers(
            common + [
                ("X-Shopify-Topic", "orders/create"),
                ("X-Shopify-Hmac-Sha256", Base64.encode(Crypto.hmacSHA256(key: shopifySecret.utf8, data: body))),
                ("X-Shopify-Shop-Domain", "example.myshopify.com"), ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
            ])

        let svixKey = Crypto.randomBytes(count: 24)
        let svix = try SvixWebhookVerifier(secret: "whsec_" + Base64.encode(svixKey), clock: clock)
        let id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
        let svixSignature = Crypto.hmacSHA256(key: svixKey, data: Array("\(id).\(timestamp).".utf8) + body)
        let svixHeaders = Headers(
            common + [("svix-id", id), ("svix-timestamp", String(timestamp)), ("svix-signature", "v1," + Base64.encode(svixSignature))])

        let stripeSecret = "whsec_" + Hex.encode(Crypto.randomBytes(count: 16))
        let stripe = try StripeWebhookVerifier(secret: stripeSecret, clock: clock)
        let stripeSignature = Crypto.hmacSHA256(key: stripeSecret.utf8, data: Array("\(timestamp).".utf8) + body)
        let stripeHeaders = Headers(
            common + [("Stripe-Signature", "t=\(timestamp),v1=\(Hex.encode(stripeSignature)),v0=\(Hex.encode(svixSignature))")])

        // Every verifier accepts its request before anything is timed.
        try shopify.verify(body: body, headers: shopifyHeaders)
        try svix.verify(body: body, headers: svixHeaders)
        try stripe.verify(body: body, headers: stripeHeaders)

        let hmacKey = Crypto.randomBytes(count: 32)
        var checksum = 0
        let cases: [(String, () throws -> Void)] = [
            ("Crypto.hmacSHA256, 2 KiB (the primitive)", { checksum &+= Int(Crypto.hmacSHA256(key: hmacKey, data: body)[0]) }),
            ("ShopifyWebhookVerifier.verify, 2 KiB", { try shopify.verify(body: body, headers: shopifyHeaders) }),
            ("SvixWebhookVerifier.verify, 2 KiB", { try svix.verify(body: body, headers: svixHeaders) }),
            ("StripeWebhookVerifier.verify, 2 KiB", { try stripe.verify(body: body, headers: stripeHeaders) }),
        ]
        var best = [Double](repeating: 0, count: cases.count)
        for _ in 0..<3 {
            for (index, (_, operation)) in cases.enumerated() {
                let start = processCPUSeconds()
                for _ in 0..<iterations { try operation() }
                best[index] = max(best[index], Double(iterations) / (processCPUSeconds() - start))
            }
        }
        print("webhooks: \(iterations) operations per round, best of 3 rounds, CPU time")
        print("| operation | ops/s | µs/op | of the primitive |")
        print("|---|---|---|---|")
        for (index, (name, _)) in cases.enumerated() {
            let share = Int((best[index] / best[0] * 100).rounded())
            print("| \(name) | \(Int(best[index])) | \(String(format: "%.2f", 1e6 / best[index])) | \(share)% |")
        }
        if checksum == -1 { print("(unreachable)") }
    }
}
