/// What a worker reaches for in the Workers platform's `crypto` and `crypto.subtle`: digests,
/// HMAC, a timing-safe comparison, random bytes and UUIDs, all computed by OpenSSL's libcrypto.
///
/// Every function takes bytes as any `Sequence<UInt8>`: `[UInt8]`, a body's bytes, a slice, or a
/// string's `utf8` view.
///
/// ```swift
/// let body = try await request.bytes()
/// let expected = Crypto.hmacSHA256(key: try env.secret("SHOPIFY_SECRET").utf8, data: body)
/// guard let sent = Base64.decode(request.headers["x-shopify-hmac-sha256"] ?? ""),
///       Crypto.timingSafeEqual(expected, sent) else { throw HTTPError(401) }
/// ```
///
/// For public-key signatures (RS256, PS256, ES256) see ``JSONWebKey``.
public enum Crypto {
    /// SHA-256 of `data` (32 bytes), as `crypto.subtle.digest("SHA-256", data)`.
    public static func sha256(_ data: some Sequence<UInt8>) -> [UInt8] {
        OpenSSL.digest(.sha256, of: data)
    }

    /// SHA-384 of `data` (48 bytes), as `crypto.subtle.digest("SHA-384", data)`.
    public static func sha384(_ data: some Sequence<UInt8>) -> [UInt8] {
        OpenSSL.digest(.sha384, of: data)
    }

    /// SHA-512 of `data` (64 bytes), as `crypto.subtle.digest("SHA-512", data)`.
    public static func sha512(_ data: some Sequence<UInt8>) -> [UInt8] {
        OpenSSL.digest(.sha512, of: data)
    }

    /// HMAC-SHA256 of `data` under `key` (32 bytes), as `crypto.subtle.sign("HMAC", key, data)`
    /// with a key imported for SHA-256. Keys of any length are accepted, the empty key included;
    /// keys longer than 64 bytes are hashed first, as RFC 2104 says.
    ///
    /// To check a MAC a client sent, compare with ``timingSafeEqual(_:_:)``, never `==`.
    public static func hmacSHA256(key: some Sequence<UInt8>, data: some Sequence<UInt8>) -> [UInt8] {
        OpenSSL.hmacSHA256(key: key, data: data)
    }

    /// Whether `a` and `b` hold the same bytes, taking the same time wherever they differ
    /// (`CRYPTO_memcmp`), as `crypto.subtle.timingSafeEqual`. Where Workers throws for inputs of
    /// different lengths, this answers `false`: the length of a MAC or token is not the secret.
    @_specialize(where A == [UInt8], B == [UInt8])
    public static func timingSafeEqual<A: Sequence<UInt8>, B: Sequence<UInt8>>(_ a: A, _ b: B) -> Bool {
        // Specialized for byte arrays, what a MAC check compares on every webhook: unspecialized,
        // finding the bytes costs more than `CRYPTO_memcmp` comparing 32 of them.
        OpenSSL.constantTimeEqual(a, b)
    }

    /// `count` cryptographically secure random bytes (`RAND_bytes`), as
    /// `crypto.getRandomValues`. `count` must not be negative.
    public static func randomBytes(count: Int) -> [UInt8] {
        OpenSSL.randomBytes(count: count)
    }

    /// A random (version 4) UUID in lower case, such as `"1b4e28ba-2fa1-4d2b-883f-0016d3cca427"`,
    /// as `crypto.randomUUID()`: 122 bits from ``randomBytes(count:)``.
    public static func randomUUID() -> String {
        var bytes = randomBytes(count: 16)
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 10 (RFC 9562)
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
