// libFuzzer entry point for webhook signature checking (Sources/DroverIntegrationKit/Webhooks): the
// `Stripe-Signature` and `svix-signature` parsers and the three verifiers, which every inbound webhook
// reaches before anything else. Build: see Fuzz/README.md, section Webhook signatures.

import Drover
import Foundation

private let now: Int64 = 1_700_000_000
private let clock = ManualWallClock(Date(timeIntervalSince1970: TimeInterval(now)))
private let svixKey: [UInt8] = Array(0..<24)
private let stripeSecret = "whsec_fuzz_secret"
private let shopifySecret = "shpss_fuzz_secret"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebhookSignatures(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    checkSvixList(text)
    checkStripeHeader(text)
    do {
        try checkVerifiers(text: text, body: bytes)
    } catch {
        fatalError("a verifier could not be made: \(error)")
    }
    return 0
}

/// Every `v1` entry counts, and one appended with the expected signature is found.
private func checkSvixList(_ text: String) {
    let list = SvixSignatureList(parsing: text)
    precondition(list.count <= text.utf8.split(separator: UInt8(ascii: " ")).count, "more signatures than entries")
    let expected = Crypto.hmacSHA256(key: svixKey, data: Array(text.utf8))
    let (matched, undecodable) = list.match(expected)
    precondition(!matched && undecodable <= list.count, "svix-signature matched a signature it does not hold")
    let appended = SvixSignatureList(parsing: text + " v1," + Base64.encode(expected))
    precondition(appended.count == list.count + 1, "an appended v1 entry was not counted")
    precondition(appended.match(expected) == (true, undecodable), "an appended v1 signature was not found")
}

/// An accepted header has a timestamp and a v1; written back with one signature, it parses to the
/// same timestamp and finds that signature.
private func checkStripeHeader(_ text: String) {
    guard let header = try? StripeSignatureHeader(parsing: text) else { return }
    precondition(header.timestamp >= 0 && header.count > 0, "accepted without t or v1")
    let expected = Crypto.hmacSHA256(key: svixKey, data: Array(text.utf8))
    precondition(!header.match(expected).matched, "Stripe-Signature matched a signature it does not hold")
    let rendered = "t=\(header.timestamp),v1=\(Hex.encode(expected))"
    guard let again = try? StripeSignatureHeader(parsing: rendered) else { fatalError("\(rendered) does not parse") }
    precondition(again.timestamp == header.timestamp && again.count == 1 && again.match(expected) == (true, 0), "Stripe-Signature round trip")
}

/// The input as every signature header is refused (it is no HMAC of the body under the secret),
/// and the input as a body, signed as each sender signs, is accepted.
private func checkVerifiers(text: String, body: [UInt8]) throws {
    let shopify = try ShopifyWebhookVerifier(secret: shopifySecret)
    let svix = try SvixWebhookVerifier(secret: "whsec_" + Base64.encode(svixKey), clock: clock)
    let stripe = try StripeWebhookVerifier(secret: stripeSecret, clock: clock)
    let hostile: Headers = [
        "X-Shopify-Hmac-Sha256": text, "svix-id": "msg_fuzz", "svix-timestamp": String(now), "svix-signature": text,
        "Stripe-Signature": text,
    ]
    for verifier in [shopify, svix, stripe] as [any WebhookVerifier] {
        do {
            try verifier.verify(body: Array("{}".utf8), headers: hostile)
            fatalError("\(type(of: verifier)) accepted a header that signs nothing")
        } catch {}
    }

    let id = "msg_fuzz"
    let svixSignature = Crypto.hmacSHA256(key: svixKey, data: Array("\(id).\(now).".utf8) + body)
    try svix.verify(
        body: body, headers: ["svix-id": id, "svix-timestamp": String(now), "svix-signature": "v2,AAAA v1," + Base64.encode(svixSignature)])
    guard !body.isEmpty else { return }  // Shopify and Stripe refuse an empty body.
    try shopify.verify(body: body, headers: ["X-Shopify-Hmac-Sha256": Base64.encode(Crypto.hmacSHA256(key: shopifySecret.utf8, data: body))])
    let stripeSignature = Crypto.hmacSHA256(key: stripeSecret.utf8, data: Array("\(now).".utf8) + body)
    try stripe.verify(body: body, headers: ["Stripe-Signature": "t=\(now),v1=\(Hex.encode(stripeSignature)),v0=00"])
}
