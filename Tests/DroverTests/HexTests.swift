import DroverTestSupport
import Foundation
import Testing

@testable import Drover

@Suite("Hex")
struct HexTests {
    /// RFC 4648 section 10's base 16 vectors (upper case there).
    static let rfc4648: [(String, String)] = [
        ("", ""), ("f", "66"), ("fo", "666F"), ("foo", "666F6F"), ("foob", "666F6F62"), ("fooba", "666F6F6261"),
        ("foobar", "666F6F626172"),
    ]

    @Test("encodes RFC 4648's vectors in lower case and decodes them in either case", arguments: rfc4648)
    func rfc4648Vectors(text: String, encoded: String) {
        let bytes = Array(text.utf8)
        #expect(Hex.encode(bytes) == encoded.lowercased())
        #expect(Hex.decode(encoded) == bytes)
        #expect(Hex.decode(encoded.lowercased()) == bytes)
    }

    @Test("every byte value: two digits, the high nibble first, mixed case accepted")
    func everyByte() {
        let bytes = (0...255).map { UInt8($0) }
        let encoded = Hex.encode(bytes)
        #expect(encoded == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.decode(encoded) == bytes)
        #expect(Hex.decode(encoded.uppercased()) == bytes)
        #expect(Hex.decode("DeAdBeEf") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Hex.decode(Substring("xxdead").dropFirst(2)) == [0xDE, 0xAD])
    }

    @Test("round trips random bytes of every length up to 100")
    func roundTrips() {
        var generator = SplitMix64(seed: 0x4845_58)
        for count in 0...100 {
            let bytes = generator.bytes(count)
            let encoded = Hex.encode(bytes)
            #expect(encoded.utf8.count == 2 * count)
            #expect(Hex.decode(encoded) == bytes)
        }
    }

    /// Texts the decoder refuses: odd lengths and every kind of non-digit.
    static let refused: [String] = [
        "0", "abc", "f", "0x00", "g0", "0g", "zz", "12 34", " 1234", "1234\n", "12-34", "12:34", "+1", "-1", "é0", "0é",
        "１２", "\u{0}0", "dead\u{0}0",
    ]

    @Test("refuses odd lengths and anything but hex digits", arguments: refused)
    func refusals(text: String) {
        #expect(Hex.decode(text) == nil)
    }
}
