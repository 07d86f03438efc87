import Testing

@testable import Drover

/// Digests, HMAC, comparison and randomness. The HMAC and SHA-256 values come from
/// `Vendor/crypto-vectors` (RFC 4231 section 4; FIPS 180-2 B.1 and NIST CAVP); the SHA-384 and
/// SHA-512 ones are the FIPS 180-2 examples (appendices C.1 and D.1), public NIST data.
@Suite("Crypto")
struct CryptoTests {
    @Test("HMAC-SHA256 matches RFC 4231", arguments: try CryptoVectors.hmacCases())
    func hmacRFC4231(testCase: CryptoVectors.HMACCase) {
        let mac = Crypto.hmacSHA256(key: testCase.key, data: testCase.data)
        #expect(CryptoVectors.hex(mac) == CryptoVectors.hex(testCase.mac))
        #expect(Base64.encode(mac) == testCase.macBase64)
    }

    @Test("RFC 4231 covers test cases 1-4, 6 and 7")
    func hmacCaseList() throws {
        #expect(try CryptoVectors.hmacCases().map(\.id) == ["TC1", "TC2", "TC3", "TC4", "TC6", "TC7"])
    }

    @Test("HMAC-SHA256 with an empty key and empty data, and any byte sequence")
    func hmacEdges() {
        // HMAC-SHA256 with empty key and data (Python's `hmac` module gives the same).
        #expect(
            CryptoVectors.hex(Crypto.hmacSHA256(key: [UInt8](), data: [UInt8]()))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        )
        // RFC 4231 TC2 from string views, a slice and a lazily mapped sequence.
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(CryptoVectors.hex(Crypto.hmacSHA256(key: "Jefe".utf8, data: "what do ya want for nothing?".utf8)) == expected)
        let padded = Array("xxJefexx".utf8)
        let lazyData = Array("what do ya want for nothing?".utf8).lazy.map { $0 }
        #expect(CryptoVectors.hex(Crypto.hmacSHA256(key: padded[2..<6], data: lazyData)) == expected)
    }

    @Test("SHA-256 matches FIPS 180-2 and NIST CAVP", arguments: try CryptoVectors.sha256Cases())
    func sha256Vectors(testCase: CryptoVectors.SHA256Case) {
        #expect(CryptoVectors.hex(Crypto.sha256(testCase.input)) == CryptoVectors.hex(testCase.digest))
    }

    @Test("SHA-256, SHA-384 and SHA-512 of \"abc\" and of the two-block message")
    func sha2Family() {
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(CryptoVectors.hex(Crypto.sha256("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(CryptoVectors.hex(Crypto.sha256(twoBlocks.utf8)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            CryptoVectors.hex(Crypto.sha384("abc".utf8))
                == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        )
        #expect(
            CryptoVectors.hex(Crypto.sha512("abc".utf8))
                == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        )
        #expect(Crypto.sha384([UInt8]()).count == 48)
        #expect(Crypto.sha512([UInt8]()).count == 64)
        // A million 'a's (FIPS 180-2 B.3), fed as a non-contiguous sequence.
        #expect(
            CryptoVectors.hex(Crypto.sha256(repeatElement(UInt8(ascii: "a"), count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
    }

    @Test("timingSafeEqual compares bytes, and unequal lengths are unequal")
    func timingSafeEqual() {
        let mac = Crypto.hmacSHA256(key: "k".utf8, data: "body".utf8)
        var altered = mac
        altered[31] ^= 0x01
        #expect(Crypto.timingSafeEqual(mac, mac))
        #expect(Crypto.timingSafeEqual(mac, Array(mac)))
        #expect(!Crypto.timingSafeEqual(mac, altered))
        #expect(!Crypto.timingSafeEqual(mac, mac.dropLast()))
        #expect(!Crypto.timingSafeEqual(mac, mac + [0]))
        #expect(Crypto.timingSafeEqual([UInt8](), [UInt8]()))
        #expect(!Crypto.timingSafeEqual([UInt8](), [0]))
        #expect(Crypto.timingSafeEqual("sha256=abc".utf8, "sha256=abc".utf8))
        #expect(!Crypto.timingSafeEqual("sha256=abc".utf8, "sha256=abd".utf8))
    }

    @Test("randomBytes gives the count asked for, and never the same bytes twice")
    func randomBytes() {
        for count in [0, 1, 16, 32, 1000, 70_000] {
            #expect(Crypto.randomBytes(count: count).count == count)
        }
        let samples = (0..<100).map { _ in Crypto.randomBytes(count: 32) }
        #expect(Set(samples).count == samples.count)
        // 64 KiB of output uses every byte value (a dead RNG filling zeros would not).
        #expect(Set(Crypto.randomBytes(count: 65_536)).count == 256)
    }

    @Test("randomUUID is a lower-case version 4 UUID, different each time")
    func randomUUID() {
        let uuids = (0..<100).map { _ in Crypto.randomUUID() }
        #expect(Set(uuids).count == uuids.count)
        for uuid in uuids {
            let characters = Array(uuid)
            #expect(characters.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { characters[$0] == "-" })
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            #expect(uuid.allSatisfy { "0123456789abcdef-".contains($0) })
        }
    }
}
