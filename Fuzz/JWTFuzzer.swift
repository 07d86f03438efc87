// libFuzzer entry point for the JWT parser and verifier of DroverIntegrationKit
// (Sources/DroverIntegrationKit/JWT), whose input is any bearer token a client sends, and for the
// JWKS and KV record parsers behind it. Build: Fuzz/README.md, "JWT".
//
// The first byte picks what the rest becomes: a compact token, parsed (0) or verified against the
// RFC 7515 A.2 key with kid "rfc" (1); a JWKS (2); a JWKS cache's KV record (3). Oracles, besides
// ASan and LeakSanitizer: a parsed token's signing input is the text before its second dot and its
// signature re-encodes to its third part; a token is never accepted (no input carries a signature
// by the test key); a parsed JWKS holds at most 100 keys, each accounted for.

import Drover
import Foundation

/// RFC 7515 appendix A.2's RSA key, with kid "rfc" and alg RS256, made for each input (kept in a
/// global, LeakSanitizer reports its arrays at exit).
private func keySet() -> JSONWebKeySet {
    let key = try! JSONWebKey(
        parsing:
            #"{"kty":"RSA","kid":"rfc","alg":"RS256","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"}"#
    )
    return JSONWebKeySet(keys: [key])
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let text = String(decoding: input, as: UTF8.self)
    switch data[0] % 4 {
    case 0:
        guard let token = try? JSONWebToken(compact: text) else { return 0 }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        precondition(parts.count == 3, "a token of \(parts.count) parts parsed")
        precondition(token.signingInput == Array(text.utf8[..<parts[1].endIndex]), "the signing input is not header.payload")
        precondition(Base64URL.encode(token.signature) == parts[2], "the signature does not re-encode to its part")
        if let audience = token.claims.audience { precondition(token.claims["aud"] != nil && audience.count <= input.count) }
        for time in [token.claims.expirationTime, token.claims.notBeforeTime, token.claims.issuedAtTime] {
            if let time { precondition(time.isFinite, "a NumericDate that is not finite") }
        }
    case 1:
        let keys = keySet()
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_300_819_370))
        let verifier = JWTVerifier(
            configuration: .init(issuers: ["joe"], algorithms: [.rs256, .ps256, .es256]), keys: keys, clock: clock)
        guard let token = try? JSONWebToken(compact: text), let checked = try? verifier.checkHeader(of: token.parts) else { return 0 }
        let result = JWKSResult(keySet: keys, source: .fixed)
        let accepted = try? verifier.verify(token, algorithm: checked.0, keyID: checked.1, result: result, now: clock.now())
        precondition(accepted == nil, "a token was accepted without a signature by the test key")
    case 2:
        guard let set = try? JSONWebKeySet(parsing: input) else { return 0 }
        precondition(set.keys.count + set.refusedKeys.count <= JSONWebKeySet.maximumKeyCount, "more keys than the limit")
        precondition(!set.keys.isEmpty, "a JWKS without a usable key parsed")
    default:
        if case .success(let record) = JWKSCache.Record.parse(input, url: "https://issuer.example/jwks") {
            precondition(!record.keySet.keys.isEmpty, "a KV record without a usable key parsed")
        }
    }
    return 0
}
