import Drover
import Foundation
import Testing

@testable import DroverReplay

/// `SecretRedactor` on bytes: every encoding of every secret, before anything is encoded.
@Suite("Secret redaction")
struct SecretRedactorTests {
    /// A secret with a `/`, a non-ASCII letter and a space: each is written differently by a URL,
    /// a form and a JSON document.
    static let secret = "s3cr3t/Tök en"
    static let redactor = SecretRedactor(secrets: ["TOKEN": secret])

    @Test(arguments: [
        ("percent-encoded, upper-case hex", "s3cr3t%2FT%C3%B6k%20en"),
        ("percent-encoded, lower-case hex", "s3cr3t%2fT%c3%b6k%20en"),
        ("percent-encoded, mixed-case hex", "s3cr3t%2fT%C3%b6k%20en"),
        ("every byte percent-encoded", "%73%33%63%72%33%74%2F%54%C3%B6%6B%20%65%6E"),
        ("+ for a space", "s3cr3t%2FT%C3%B6k+en"),
        ("JSON, \\/ and \\u00f6", #"s3cr3t\/T\u00f6k en"#),
        ("JSON, \\u00F6 in upper case", #"s3cr3t/T\u00F6k\u0020en"#),
        ("JSON and percent-encoding mixed", #"s3cr3t\/T%C3%B6k+en"#),
    ])
    func everyEscapedFormIsRedacted(form: String, encoded: String) {
        let text = "before " + encoded + " after"
        #expect(Self.redactor.redact(text) == "before ${TOKEN} after", "\(form)")
    }

    @Test func aSecretFollowedByACombiningMarkIsFound() {
        // As Swift strings, "…en" + U+0301 ends in the character "ń": `contains` does not see the secret.
        let text = "key=" + Self.secret + "\u{301}!"
        #expect(!text.contains(Self.secret))
        #expect(Self.redactor.redact(text) == "key=${TOKEN}\u{301}!")
    }

    @Test func bytesThatAreNotUTF8AreSearchedToo() {
        let bytes: [UInt8] = [0xFF, 0x00] + Array(Self.secret.utf8) + [0xC3]
        #expect(Self.redactor.redact(bytes) == [0xFF, 0x00] + Array("${TOKEN}".utf8) + [0xC3])
    }

    @Test(arguments: 0..<3)
    func base64TextHoldingTheSecretIsRedactedAtEveryAlignment(alignment: Int) {
        let blob = [UInt8](repeating: 0x41, count: 3 + alignment) + Array(Self.secret.utf8) + [0x7F, 0x80, 0x81]
        for url in [false, true] {
            var encoded = Data(blob).base64EncodedString()
            if url { encoded = encoded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") }
            let redacted = Self.redactor.redact("Authorization: Basic " + encoded)
            #expect(redacted.contains("${TOKEN}"), "alignment \(alignment), url \(url): \(redacted)")
            #expect(SecretLeakScan.leaks(of: Self.secret, in: Array(redacted.utf8)).isEmpty, "alignment \(alignment), url \(url): \(redacted)")
        }
    }

    @Test func theBase64OfTheWholeSecretIsRedacted() {
        // 14 bytes: 19 characters and `=`; the last character holds 4 bits of the secret and 2 of
        // padding, so it goes too, and the padding, which holds none, stays.
        #expect(Self.secret.utf8.count == 14)
        let encoded = Data(Self.secret.utf8).base64EncodedString()
        #expect(Self.redactor.redact("x-key: " + encoded) == "x-key: ${TOKEN}=")
        // 15 bytes: 20 characters, no padding.
        let longer = Self.secret + "!"
        #expect(SecretRedactor(secrets: ["T": longer]).redact("x-key: " + Data(longer.utf8).base64EncodedString()) == "x-key: ${T}")
    }

    @Test func aPlaceholderIsNeverSearchedAgain() {
        let redactor = SecretRedactor(secrets: ["API_KEY": "abcdefgh", "OTHER": "KEY"])
        #expect(redactor.redact("abcdefgh KEY") == "${API_KEY} ${OTHER}")
        var found: Set<String> = []
        _ = redactor.redact("abcdefgh", found: &found)
        #expect(found == ["API_KEY"])
    }

    @Test func shortSecretsAreRedactedAsTheyAreButNotInBase64() {
        let redactor = SecretRedactor(secrets: ["PIN": "123", "EMPTY": ""])
        #expect(redactor.redact("a123b %31%32%33") == "a${PIN}b ${PIN}")
        // "MTIz" is base64 of "123": three characters at other alignments, found in any base64 text by chance.
        #expect(redactor.redact("MTIz") == "MTIz")
        #expect(SecretRedactor.shortSecretNames(["PIN": "123", "EMPTY": "", "LONG": "1234"]) == ["PIN"])
    }

    @Test func numbersWrittenFromTheirValueAreChecked() {
        let redactor = SecretRedactor(secrets: ["CODE": "100"])
        #expect(redactor.containsSecretInNumbers(["a": [.double(100)]]))
        #expect(!redactor.containsSecretInNumbers(["a": [.string("${CODE}")], "b": 7]))
    }
}
