/// Base64 in the standard alphabet (RFC 4648 §4: `+` and `/`), as `btoa`/`atob` and the webhook
/// signatures of Shopify and Svix use it.
///
/// Decoding is strict: anything but canonical base64, padded or not, gives nil (see
/// ``decode(_:)``), never a crash and never a partial result.
public enum Base64 {
    /// `bytes` in base64, padded with `=` to a multiple of 4 characters unless `padding` is false.
    public static func encode(_ bytes: some Sequence<UInt8>, padding: Bool = true) -> String {
        Base64Alphabet.standard.encode(bytes, padding: padding)
    }

    /// The bytes `text` encodes, or nil unless it is canonical base64: padded (`Zm8=`) or unpadded
    /// (`Zm8`). Refused: whitespace or any other character outside `A–Z a–z 0–9 + /`
    /// (base64url's `-` and `_` included), `=` anywhere but completing the last group, a length
    /// that leaves one character in the last group, and non-zero bits after the last byte (`Zm9=`).
    @inlinable
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        // Inlined so the caller's string type is known and its UTF-8 is read in place: webhook
        // signatures are decoded on every request.
        text.withUTF8Bytes(decode(utf8:))
    }

    /// ``decode(_:)`` of the bytes of a text.
    @usableFromInline
    static func decode(utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        Base64Alphabet.standard.decode(utf8: utf8)
    }
}
