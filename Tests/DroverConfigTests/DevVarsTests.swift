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

    @Test(".dev.vars.example names the secrets a fresh clone has not set yet")
    func missingFromExample() throws {
        let folder = NSTemporaryDirectory() + "drover-devvars-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(DevVars.missingFromExample(configDirectory: folder, present: []) == nil)
        try "# the app's secrets\nAPI_KEY=example\nWEBHOOK_SECRET=\"whsec_x\"\n".write(toFile: folder + "/.dev.vars.example", atomically: true, encoding: .utf8)
        let missing = DevVars.missingFromExample(configDirectory: folder, present: ["API_KEY"])
        #expect(missing?.example == folder + "/.dev.vars.example")
        #expect(missing?.missing == ["WEBHOOK_SECRET"])
        #expect(DevVars.missingFromExample(configDirectory: folder, present: ["API_KEY", "WEBHOOK_SECRET"]) == nil)
        // An example that does not parse is not a reason to refuse to start: no warning.
        try "API_KEY=\"unterminated\n".write(toFile: folder + "/.dev.vars.example", atomically: true, encoding: .utf8)
        #expect(DevVars.missingFromExample(configDirectory: folder, present: []) == nil)
    }
}
