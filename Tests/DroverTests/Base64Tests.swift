import Foundation
import Testing

@testable import Drover

@Suite("Base64")
struct Base64Tests {
    /// RFC 4648 section 10's test vectors.
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test("encodes and decodes RFC 4648's vectors, padded and unpadded", arguments: rfc4648)
    func rfc4648Vectors(text: String, encoded: String) {
        let bytes = Array(text.utf8)
        let unpadded = String(encoded.prefix(while: { $0 != "=" }))
        #expect(Base64.encode(bytes) == encoded)
        #expect(Base64.encode(bytes, padding: false) == unpadded)
        #expect(Base64URL.encode(bytes) == unpadded)
        #expect(Base64URL.encode(bytes, padding: true) == encoded)
        for form in [encoded, unpadded] {
            #expect(Base64.decode(form) == bytes)
            #expect(Base64URL.decode(form) == bytes)
        }
    }

    @Test("the two alphabets differ only in + / and - _")
    func alphabets() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0xBF, 0xFE]
        #expect(Base64.encode(bytes) == "+/+//g==")
        #expect(Base64URL.encode(bytes) == "-_-__g")
        #expect(Base64.decode("+/+//g==") == bytes)
        #expect(Base64URL.decode("-_-__g") == bytes)
        #expect(Base64.decode(Substring("xx+/+//g==").dropFirst(2)) == bytes)
    }

    @Test("round trips every length up to 100, as Foundation encodes")
    func roundTrips() {
        for count in 0...100 {
            let bytes = Crypto.randomBytes(count: count)
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decode(Base64.encode(bytes, padding: false)) == bytes)
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
            #expect(Base64URL.decode(Base64URL.encode(bytes, padding: true)) == bytes)
            let urlForm = encoded.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }.filter { $0 != "=" }
            #expect(Base64URL.encode(bytes) == String(urlForm))
        }
    }

    /// Texts both decoders refuse.
    static let refusedByBoth: [String] = [
        "Z",  // one character left in a group
        "Zm9vY",  // the same after a full group
        "Zg=",  // padding that does not complete the group
        "Zg===",
        "Zm8==",
        "=",
        "==",
        "====",
        "A===",
        "=Zg=",  // padding first
        "Zg==Zg==",  // padding in the middle
        "Zg==\n",  // trailing newline
        " Zg==",
        "Zm 9v",
        "Zm9v\r\n",
        "Zh==",  // bits set after the last byte
        "Zm9=",
        "Zm9vYh",
        "Zm9v!",
        "Zm9v.",
        "Zé==",
        "Zm9v\u{0}",
    ]

    @Test("refuses malformed text", arguments: refusedByBoth)
    func refusals(text: String) {
        #expect(Base64.decode(text) == nil)
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("each decoder refuses the other alphabet's symbols")
    func otherAlphabet() {
        #expect(Base64.decode("-_-__g") == nil)
        #expect(Base64.decode("ab-c") == nil)
        #expect(Base64URL.decode("+/+//g==") == nil)
        #expect(Base64URL.decode("ab/c") == nil)
    }

    @Test("random text never crashes a decoder, and what decodes re-encodes to the same text")
    func randomText() {
        let symbols = Array("ABCXYZabcxyz0189+/-_= \n.".utf8)
        for _ in 0..<5000 {
            let length = Int(Crypto.randomBytes(count: 1)[0] % 13)
            let text = String(decoding: Crypto.randomBytes(count: length).map { symbols[Int($0) % symbols.count] }, as: UTF8.self)
            if let bytes = Base64.decode(text) {
                #expect([Base64.encode(bytes), Base64.encode(bytes, padding: false)].contains(text))
            }
            if let bytes = Base64URL.decode(text) {
                #expect([Base64URL.encode(bytes), Base64URL.encode(bytes, padding: true)].contains(text))
            }
        }
    }
}
