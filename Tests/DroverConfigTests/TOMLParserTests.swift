import Foundation
import Testing

@testable import DroverConfig

@Suite("TOML parser")
struct TOMLParserTests {
    static func parse(_ text: String) throws -> TOMLTable {
        try TOMLParser.parse(text, fileName: "test.toml")
    }

    static func error(_ text: String) -> TOMLError? {
        do {
            _ = try TOMLParser.parse(text, fileName: "test.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test("values keep their TOML types")
    func typedValues() throws {
        let t = try Self.parse(
            """
            s = "a\\tb\\u00E9\\U0001F600"
            i = 0x_dead_beef_never
            """.replacingOccurrences(of: "0x_dead_beef_never", with: "0xDEAD_BEEF")
        )
        #expect(t["s"]?.stringValue == "a\tbé😀")
        #expect(t["i"]?.integerValue == 0xDEAD_BEEF)
        let d = try Self.parse(
            """
            ld = 1979-05-27
            lt = 07:32:00.5
            ldt = 1979-05-27T07:32:00
            odt = 1979-05-27 07:32:00-07:00
            f = -1_000.5e-1
            n = nan
            b = false
            min = -9223372036854775808
            """
        )
        #expect(d["ld"]?.content == .localDate(TOMLLocalDate(year: 1979, month: 5, day: 27)))
        #expect(d["lt"]?.content == .localTime(TOMLLocalTime(hour: 7, minute: 32, second: 0, nanosecond: 500_000_000, fractionDigits: 1)))
        #expect(d["ldt"]?.typeName == "datetime-local")
        guard case .offsetDateTime(let odt) = d["odt"]?.content else {
            Issue.record("not an offset date-time")
            return
        }
        #expect(odt.offsetMinutes == -420)
        #expect(odt.instant == Date(timeIntervalSince1970: 296_663_520))
        #expect(d["f"]?.floatValue == -100.05)
        #expect(d["n"]?.floatValue?.isNaN == true)
        #expect(d["b"]?.boolValue == false)
        #expect(d["min"]?.integerValue == Int64.min)
    }

    @Test("values carry line and column, counted in characters")
    func positions() throws {
        let t = try Self.parse("# é comment\n[server]\n  \"é\" = 'x'   \nport = 8787\n")
        let server = try #require(t["server"]?.tableValue)
        #expect(server["é"]?.position == TOMLPosition(line: 3, column: 9))
        #expect(server.position(ofKey: "é") == TOMLPosition(line: 3, column: 3))
        #expect(server["port"]?.position == TOMLPosition(line: 4, column: 8))
        #expect(t.position(ofKey: "server") == TOMLPosition(line: 2, column: 2))
    }

    @Test(
        "errors name line and column",
        arguments: [
            ("a = 1\nb = 01\n", 2, 5),
            ("a = \"x\n", 1, 7),
            ("a = 'é\\q'\nb = \"é\\q\"", 2, 7),
            ("[a]\nx = 1\n[a]\n", 3, 2),
            ("a = 1\na = 2\n", 2, 1),
            ("a = {b = 1}\na.c = 2\n", 2, 1),
            ("a = [1]\n[[a]]\n", 2, 3),
            ("[a]\nb.c = 1\n[a.b]\n", 3, 4),
            ("a = 1 b = 2\n", 1, 7),
            ("a = 1979-02-29\n", 1, 5),
            ("a = \"\\uD800\"\n", 1, 6),
            ("a = 9223372036854775808\n", 1, 5),
            ("x = { a = 1, }\n", 1, 14),
            ("a = 1\r\nb = \r\n", 2, 5),
        ] as [(String, Int, Int)]
    )
    func errorPositions(input: String, line: Int, column: Int) throws {
        let error = try #require(Self.error(input), "accepted: \(input)")
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.description.hasPrefix("test.toml:\(line):\(column): "))
        #expect(!error.description.contains("\n"))
    }

    @Test("redefinition rules (TOML 1.0.0 §Table, §Array of Tables, §Inline Table)")
    func redefinitions() throws {
        // Allowed: a super-table after its sub-table; a sub-table inside a dotted-key table; appending to [[x]].
        _ = try Self.parse("[a.b]\nc = 1\n[a]\nd = 2\n")
        _ = try Self.parse("[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n")
        let t = try Self.parse("[[p]]\nn = 1\n[p.sub]\nx = 1\n[[p]]\nn = 2\n")
        #expect(t["p"]?.arrayValue?.count == 2)
        // Rejected.
        for bad in [
            "[a]\n[a]\n", "a = 1\n[a]\n", "[[a]]\n[a]\n", "[a]\n[[a]]\n", "a = []\n[[a]]\n",
            "a = {}\n[a.b]\n", "a = {x = 1}\na.y = 2\n", "[a.b.c]\nz = 1\n[a]\nb.c.t = 2\n",
            "x = {a = {b = 1}, a.c = 2}\n", "a.b = 1\na.b.c = 2\n", "a = 1\na = 1\n", "\"a\" = 1\na = 2\n",
        ] {
            #expect(Self.error(bad)?.kind == .redefinition, "\(bad)")
        }
    }

    @Test("UTF-8 is validated and a leading BOM skipped")
    func encoding() throws {
        #expect(try TOMLParser.parse([0xEF, 0xBB, 0xBF] + Array("a = 1".utf8))["a"]?.integerValue == 1)
        #expect(throws: TOMLError.self) { try TOMLParser.parse(Array("a = \"".utf8) + [0xC0, 0x80] + [0x22]) }
        #expect(throws: TOMLError.self) { try TOMLParser.parse(Array("a = 1\n".utf8) + [0xEF, 0xBB, 0xBF]) }
        #expect(throws: TOMLError.self) { try TOMLParser.parse(Array("a = \"".utf8) + [0xED, 0xA0, 0x80] + [0x22]) }
    }

    @Test("hostile nesting and long runs finish with an error or a value")
    func hostileInput() throws {
        let brackets = "a = " + String(repeating: "[", count: 1 << 20)
        #expect(Self.error(brackets)?.kind == .nestingTooDeep)
        let tables = "a = " + String(repeating: "{b = ", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(Self.error(tables)?.kind == .nestingTooDeep)
        let headers = "[" + Array(repeating: "a", count: 10_000).joined(separator: ".") + "]"
        #expect(Self.error(headers)?.kind == .nestingTooDeep)
        let dotted = Array(repeating: "a", count: 10_000).joined(separator: ".") + " = 1"
        #expect(Self.error(dotted)?.kind == .nestingTooDeep)
        let backslashes = "a = \"" + String(repeating: "\\", count: 1 << 20) + "\""
        #expect(try Self.parse(backslashes)["a"]?.stringValue?.count == 1 << 19)
        let odd = "a = \"" + String(repeating: "\\", count: (1 << 20) + 1) + "\""
        #expect(Self.error(odd) != nil)
        let deepOK = "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(try Self.parse(deepOK)["a"] != nil)
        let wide = "a = [" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]"
        #expect(try Self.parse(wide)["a"]?.arrayValue?.count == 200_000)
    }

    @Test("multi-line strings: trimmed first newline, line-ending backslash, quotes before the delimiter")
    func multilineStrings() throws {
        let t = try Self.parse("a = \"\"\"\nx \\\n    y\"\"\"\"\"\nb = '''\r\nl1\r\nl2'''\n")
        #expect(t["a"]?.stringValue == "x y\"\"")
        #expect(t["b"]?.stringValue == "l1\nl2")
    }
}

extension TOMLParserTests {
    /// Found by libFuzzer: a quoted key holding a newline used to put a line break into the message.
    @Test("error messages stay on one line even when a key holds control characters")
    func oneLineMessages() throws {
        let error = try #require(Self.error("\"\\nline\"\n\"\\b\" latin capital0\"]\n"))
        #expect(!error.description.contains("\n"))
        #expect(error.description == "test.toml:1:9: expected '=' after the key \"\\nline\", found end of line")
    }
}
