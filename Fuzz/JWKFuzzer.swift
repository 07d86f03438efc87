// libFuzzer entry point for Drover's JWK parsing and signature verification and its base64 codecs
// (Sources/Drover/Crypto), whose inputs come from webhooks and JWTs. Build: Fuzz/README.md, "JWK".
//
// The first byte picks what the rest becomes: a JWK's JSON text; the numbers of an RSA key (n, e)
// or a P-256 point (x, y) with a signature; a signature under the RFC 7515 keys; text for the base64
// decoders. Oracles, besides ASan and LeakSanitizer (every OpenSSL object must be freed): a key that
// parses re-parses from its own numbers to an equal key; whatever a base64 decoder accepts encodes
// back to the same text.

/// RFC 7515 appendix A.2's RSA key and A.3's P-256 key, made for each input: kept in a global,
/// their arrays were reported by LeakSanitizer at exit (it does not recognise every reference Swift
/// stores), which would hide real leaks.
private func rfc7515Keys() -> [JSONWebKey] {
    [
        try! JSONWebKey(
            parsing:
                #"{"kty":"RSA","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"}"#
        ),
        try! JSONWebKey(
            parsing:
                #"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#
        ),
    ]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWK(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let message = Array("eyJhbGciOiJSUzI1NiJ9.e30".utf8)
    switch data[0] % 5 {
    case 0:
        if let key = try? JSONWebKey(parsing: input) { check(key, message: message, signature: input) }
    case 1:
        // n: the first byte's count of 16-byte blocks (up to 4 KiB); e: the next 0–7 bytes; the rest signs.
        guard let blocks = input.first else { return 0 }
        let n = Array(input.dropFirst().prefix(Int(blocks) * 16))
        let e = Array(input.dropFirst(1 + n.count).prefix(Int(blocks % 8)))
        let signature = Array(input.dropFirst(1 + n.count + e.count))
        let json: JSONValue = ["kty": "RSA", "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))]
        if let key = try? JSONWebKey(json) { check(key, message: message, signature: signature) }
    case 2:
        let x = Array(input.prefix(32))
        let y = Array(input.dropFirst(32).prefix(32))
        let json: JSONValue = ["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(x)), "y": .string(Base64URL.encode(y))]
        if let key = try? JSONWebKey(json) { check(key, message: message, signature: Array(input.dropFirst(64))) }
    case 3:
        for key in rfc7515Keys() {
            for algorithm in JWSAlgorithm.allCases { _ = key.verify(signature: input, message: message, algorithm: algorithm) }
        }
    default:
        let text = String(decoding: input, as: UTF8.self)
        if let bytes = Base64.decode(text) {
            precondition(Base64.encode(bytes) == text || Base64.encode(bytes, padding: false) == text, "Base64 round trip")
        }
        if let bytes = Base64URL.decode(text) {
            precondition(Base64URL.encode(bytes) == text || Base64URL.encode(bytes, padding: true) == text, "Base64URL round trip")
        }
    }
    return 0
}

/// Verifies `signature` with every algorithm, and re-parses the key from its own numbers.
private func check(_ key: JSONWebKey, message: [UInt8], signature: [UInt8]) {
    for algorithm in JWSAlgorithm.allCases { _ = key.verify(signature: signature, message: message, algorithm: algorithm) }
    let json: JSONValue
    switch key.parameters {
    case .rsa(let n, let e):
        json = ["kty": "RSA", "n": .string(Base64URL.encode(n)), "e": .string(Base64URL.encode(e))]
    case .p256(let x, let y):
        json = ["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(x)), "y": .string(Base64URL.encode(y))]
    }
    guard let again = try? JSONWebKey(json) else { fatalError("a parsed key does not re-parse: \(key)") }
    precondition(again.parameters == key.parameters, "re-parsing changed the key")
}
