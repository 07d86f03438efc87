/// Base64url (RFC 4648 §5: `-` and `_` in place of `+` and `/`), the encoding of JWTs, JWKs and
/// JWS signatures, where it goes without padding (RFC 7515 §2).
///
/// Decoding is strict: anything but canonical base64url, padded or not, gives nil (see
/// ``decode(_:)``), never a crash and never a partial result.
public enum Base64URL {
    /// `bytes` in base64url, without padding unless `padding` is true.
    public static func encode(_ bytes: some Sequence<UInt8>, padding: Bool = false) -> String {
        Base64Alphabet.url.encode(bytes, padding: padding)
    }

    /// The bytes `text` encodes, or nil unless it is canonical base64url: unpadded (`Zm8`) or
    /// padded (`Zm8=`). Refused: whitespace or any other character outside `A–Z a–z 0–9 - _`
    /// (base64's `+` and `/` included), `=` anywhere but completing the last group, a length that
    /// leaves one character in the last group, and non-zero bits after the last byte (`Zm9`).
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        Base64Alphabet.url.decode(text)
    }

    /// ``decode(_:)`` of a text given as its UTF-8 bytes — a part of a token already read into an
    /// array, without making a string of it first.
    public static func decode(utf8 text: some Collection<UInt8>) -> [UInt8]? {
        if let decoded = text.withContiguousStorageIfAvailable({ Base64Alphabet.url.decode(utf8: $0) }) { return decoded }
        return Array(text).withUnsafeBufferPointer { Base64Alphabet.url.decode(utf8: $0) }
    }

    /// ``decode(utf8:)`` of bytes in place — a part of a token read where it lies.
    public static func decode(utf8 text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        Base64Alphabet.url.decode(utf8: text)
    }

    /// The most bytes `count` characters of base64url decode to: the room
    /// ``decode(utf8:into:)`` needs.
    public static func decodedCapacity(_ count: Int) -> Int {
        Base64Alphabet.decodedCapacity(count)
    }

    /// ``decode(utf8:)`` into memory the caller holds (a stack buffer, say), with no array made:
    /// the number of bytes written, or nil when `text` is not canonical base64url or `output` has
    /// less room than ``decodedCapacity(_:)`` of its length.
    public static func decode(utf8 text: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        Base64Alphabet.url.decode(utf8: text, into: output)
    }
}
