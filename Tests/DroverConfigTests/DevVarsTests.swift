import Foundation
import Testing

@testable import DroverConfig

@Suite(".dev.vars")
struct DevVarsTests {
    static func parse(_ text: String) throws(ConfigError) -> [String: String] {
        try DevVars.parse(Array(text.utf8), file: ".dev.vars").mapValues { $0.reveal() }
    }

    @Test("dotenv syntax: comments, export, quotes, escapes, multi-line values, trailing comments")
    func syntax() throws {
        let values = try Self.parse(
            """
            # a comment
            PLAIN=hello world   # trailing comment
            export EXPORTED = yes
            EMPTY=
            HASH=a#b
            SINGLE='no \\n escapes # here'
            DOUBLE="line1\\nline2\\t\\"q\\" \\\\ \\$"
            MULTI="first
            second"
            LITERAL_MULTI='a
            b' # comment after quote
            CRLF=value\r
            DUP=1
            DUP=2
            """
        )
        #expect(values["PLAIN"] == "hello world")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["EMPTY"] == "")
        #expect(values["HASH"] == "a#b")
        #expect(values["SINGLE"] == "no \\n escapes # here")
        #expect(values["DOUBLE"] == "line1\nline2\t\"q\" \\ \\$")
        #expect(values["MULTI"] == "first\nsecond")
        #expect(values["LITERAL_MULTI"] == "a\nb")
        #expect(values["CRLF"] == "value")
        #expect(values["DUP"] == "2")
        #expect(values.count == 10)
    }

    @Test(
        "malformed files name line and column",
        arguments: [
            ("A=1\nB\n", ".dev.vars:2:2: expected '=' after B"),
            ("A=1\n1A=2\n", ".dev.vars:2:1: a variable name must not start with a digit"),
            ("A=1\n  B-C=2\n", ".dev.vars:2:4: expected '=' after B"),
            ("A=\"x\" y\n", ".dev.vars:1:7: unexpected text after the closing quote"),
            ("A=1\nB=\"open\nmore\n", ".dev.vars:2:3: unterminated double-quoted value (opened on line 2)"),
            ("=x\n", ".dev.vars:1:1: expected a variable name ([A-Za-z_][A-Za-z0-9_]*)"),
        ] as [(String, String)]
    )
    func errors(input: String, expected: String) {
        do {
            _ = try Self.parse(input)
            Issue.record("accepted \(input)")
        } catch {
            #expect(error.description == expected)
            #expect(error.kind == .invalidDevVars)
        }
    }

    @Test("errors never contain the values")
    func noValuesInErrors() {
        do {
            _ = try Self.parse("TOKEN=\"sk_live_secret\" trailing\n")
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("sk_live_secret"))
        }
    }
}
