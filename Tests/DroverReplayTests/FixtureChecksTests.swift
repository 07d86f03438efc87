import Drover
import Foundation
import Testing

@testable import DroverReplay

@Suite("Fixture checks")
struct FixtureChecksTests {
    static func expectation(_ json: String) throws -> ResponseExpectation {
        let text = #"{"name": "n", "steps": [{"advance": "1s"}, {"advance": "1s"}, {"request": {"path": "/"}, "expect": \#(json)}]}"#
        let fixture = try Fixture.parse(bytes: Array(text.utf8), file: "f.json")
        guard case .request(_, let expect?) = fixture.steps[2].action else { throw ReplayError(code: .invalidFixture, message: "no expect") }
        return expect
    }

    static func final(_ json: String) throws -> FinalExpectation {
        let text = #"{"name": "n", "steps": [{"advance": "1s"}], "expect": \#(json)}"#
        return try #require(try Fixture.parse(bytes: Array(text.utf8), file: "f.json").expect)
    }

    @Test func statusMismatchNamesThePathAsFIXTURESShowsIt() throws {
        let failures = try Self.expectation(#"{"status": 200}"#).check(status: 401, headers: Headers(), body: [])
        #expect(
            failures.map { $0.message(file: "Fixtures/shopify/dup.json") } == [
                "Fixtures/shopify/dup.json: steps[2].expect.status: expected 200, got 401"
            ]
        )
        #expect(failures.first?.expected == "200" && failures.first?.actual == "401")
    }

    @Test func headersCheckOnlyTheListedOnesCaseInsensitively() throws {
        let expect = try Self.expectation(#"{"headers": {"Content-Type": "application/json", "x-id": "1"}}"#)
        #expect(expect.check(status: 200, headers: ["content-type": "application/json", "X-ID": "1", "x-extra": "y"], body: []).isEmpty)
        let failures = expect.check(status: 200, headers: ["content-type": "text/plain"], body: [])
        #expect(
            failures.map(\.description) == [
                #"steps[2].expect.headers.Content-Type: expected "application/json", got "text/plain""#,
                #"steps[2].expect.headers.x-id: expected "1", got no such header"#,
            ]
        )
    }

    @Test func jsonIsExact() throws {
        let expect = try Self.expectation(#"{"json": {"ok": true, "items": [1, 2]}}"#)
        #expect(expect.check(status: 200, headers: Headers(), body: Array(#"{"items":[1,2.0],"ok":true}"#.utf8)).isEmpty)
        #expect(
            expect.check(status: 200, headers: Headers(), body: Array(#"{"items":[1,3],"ok":true}"#.utf8)).map(\.description)
                == ["steps[2].expect.json.items[1]: expected 2, got 3"]
        )
        #expect(
            expect.check(status: 200, headers: Headers(), body: Array(#"{"items":[1,2],"ok":true,"extra":1}"#.utf8)).map(\.description)
                == [#"steps[2].expect.json: unexpected key "extra" with value 1"#]
        )
        #expect(
            expect.check(status: 200, headers: Headers(), body: Array("oops".utf8)).map(\.description)
                == [#"steps[2].expect.json: expected a JSON body, got "oops""#]
        )
    }

    static let subsetCases: [(String, String, String?)] = [
        (#"{"a": 1}"#, #"{"a": 1, "b": 2}"#, nil),
        (#"{"a": {"b": {"c": "x"}}}"#, #"{"a": {"b": {"c": "x", "d": 1}, "e": 2}}"#, nil),
        (#"{"a": {"b": 1}}"#, #"{"a": {"b": 2}}"#, "steps[2].expect.jsonSubset.a.b: expected 1, got 2"),
        (#"{"a": 1}"#, #"{"b": 1}"#, "steps[2].expect.jsonSubset.a: expected 1, got no such key"),
        (#"{"list": [{"id": 1}, {"id": 2}]}"#, #"{"list": [{"id": 1, "x": 0}, {"id": 2, "y": 0}]}"#, nil),
        (#"{"list": [{"id": 1}]}"#, #"{"list": [{"id": 1}, {"id": 2}]}"#, "steps[2].expect.jsonSubset.list: expected 1 elements, got 2"),
        (#"{"list": [{"id": 1}, {"id": 3}]}"#, #"{"list": [{"id": 1}, {"id": 2}]}"#, "steps[2].expect.jsonSubset.list[1].id: expected 3, got 2"),
        (#"{"a": null}"#, #"{"a": null}"#, nil),
        (#"{"a": null}"#, #"{}"#, "steps[2].expect.jsonSubset.a: expected null, got no such key"),
        (#"{"a": {}}"#, #"{"a": []}"#, "steps[2].expect.jsonSubset.a: expected {}, got []"),
        (#"[1, 2]"#, #"[1, 2]"#, nil),
        (#"{"n": 1}"#, #"{"n": 1.0}"#, nil),
        (#"{"s": "1"}"#, #"{"s": 1}"#, #"steps[2].expect.jsonSubset.s: expected "1", got 1"#),
    ]

    @Test(arguments: subsetCases)
    func jsonSubsetSemantics(expected: String, actual: String, failure: String?) throws {
        let expect = try Self.expectation(#"{"jsonSubset": \#(expected)}"#)
        #expect(expect.check(status: 200, headers: Headers(), body: Array(actual.utf8)).map(\.description) == (failure.map { [$0] } ?? []))
    }

    @Test func bodyIsExactAndBodyContainsIsASubstring() throws {
        let expect = try Self.expectation(#"{"body": "OK", "bodyContains": "K"}"#)
        #expect(expect.check(status: 200, headers: Headers(), body: Array("OK".utf8)).isEmpty)
        #expect(
            expect.check(status: 200, headers: Headers(), body: Array("NO".utf8)).map(\.description) == [
                #"steps[2].expect.body: expected "OK", got "NO""#,
                #"steps[2].expect.bodyContains: expected the body to contain "K", got "NO""#,
            ]
        )
    }

    @Test func checksAResponseReadingItsBody() async throws {
        let expect = try Self.expectation(#"{"status": 201, "json": {"id": 1}}"#)
        #expect(try await expect.check(Response.json(["id": 1], status: 201)).isEmpty)
    }

    @Test func upstreamCallsAndLogs() throws {
        let final = try Self.final(#"{"upstreamCalls": 2, "logsContain": ["circuit open", "missing"], "logsNotContain": ["whsec_"]}"#)
        #expect(final.checkUpstreamCalls(2).isEmpty)
        #expect(final.checkUpstreamCalls(3).map(\.description) == ["expect.upstreamCalls: expected 2, got 3"])
        let failures = final.checkLogs(["retrying", "circuit open after 3 failures", "secret whsec_abc"])
        #expect(
            failures.map(\.description) == [
                #"expect.logsContain[1]: expected the logs to contain "missing", no line does"#,
                #"expect.logsNotContain[0]: expected the logs not to contain "whsec_", found in "secret whsec_abc""#,
            ]
        )
    }

    @Test func kvEntries() throws {
        let final = try Self.final(
            #"""
            {"kv": {"S": {"t": {"value": "text"}, "gone": {"absent": true}, "sub": {"jsonSubset": {"a": 1}},
                          "j": {"json": {"a": 1}}, "b": {"base64": "AAE="}}}}
            """#
        )
        let checks = Dictionary(uniqueKeysWithValues: final.kv.map { ($0.key, $0) })
        #expect(checks["t"]!.check(stored: Array("text".utf8)) == nil)
        #expect(checks["t"]!.check(stored: Array("other".utf8))?.description == #"expect.kv.S.t.value: expected "text", got "other""#)
        #expect(checks["t"]!.check(stored: nil)?.description == "expect.kv.S.t: expected the key to exist, it is absent")
        #expect(checks["gone"]!.check(stored: nil) == nil)
        #expect(
            checks["gone"]!.check(stored: Array("x".utf8))?.description == #"expect.kv.S.gone.absent: expected the key to be absent, it holds "x""#
        )
        #expect(checks["sub"]!.check(stored: Array(#"{"a":1,"b":2}"#.utf8)) == nil)
        #expect(checks["j"]!.check(stored: Array(#"{"a":1,"b":2}"#.utf8))?.description == #"expect.kv.S.j.json: unexpected key "b" with value 2"#)
        #expect(checks["j"]!.check(stored: Array("nope".utf8))?.description == #"expect.kv.S.j.json: expected a JSON value, got "nope""#)
        #expect(checks["b"]!.check(stored: [0, 1]) == nil)
        #expect(checks["b"]!.check(stored: [0, 2])?.description == #"expect.kv.S.b.base64: expected "AAE=", got "AAI=""#)
    }

    @Test func d1RowsAreExact() throws {
        let final = try Self.final(
            #"""
            {"d1": [{"db": "DB", "query": "SELECT * FROM t ORDER BY id",
                     "rows": [{"id": 1, "name": "a", "score": 1.5, "note": null, "data": {"base64": "AAE="}},
                              {"id": 2, "name": "b", "score": 2, "note": "x", "data": null}]}]}
            """#
        )
        let query = final.d1[0]
        let row1: [(column: String, value: JSONValue)] = [
            ("id", 1), ("name", "a"), ("score", 1.5), ("note", nil), ("data", D1QueryExpectation.blob([0, 1])),
        ]
        let row2: [(column: String, value: JSONValue)] = [("data", nil), ("id", 2), ("name", "b"), ("score", 2.0), ("note", "x")]
        #expect(query.check(rows: [row1, row2]).isEmpty)
        #expect(query.check(rows: [row1]).map(\.description) == ["expect.d1[0].rows: expected 2 rows, got 1"])
        let renamed: [(column: String, value: JSONValue)] = [("id", 2), ("title", "b"), ("score", 2), ("note", "x"), ("data", nil)]
        #expect(
            query.check(rows: [row1, renamed]).map(\.description)
                == ["expect.d1[0].rows[1]: expected columns id, name, score, note, data, got id, title, score, note, data"]
        )
        let changed: [(column: String, value: JSONValue)] = [("id", 2), ("name", "c"), ("score", 2), ("note", "x"), ("data", nil)]
        #expect(query.check(rows: [row1, changed]).map(\.description) == [#"expect.d1[0].rows[1].name: expected "b", got "c""#])
        #expect(query.queryFailed("no such table: t").description == "expect.d1[0].query: the query failed: no such table: t")
    }

    @Test func queueCounts() throws {
        let final = try Self.final(#"{"queues": {"EMAILS": {"pending": 0, "deadLettered": 1}, "other": {"pending": 2}}}"#)
        #expect(final.queues[0].check(pending: 0, deadLettered: 1).isEmpty)
        #expect(
            final.queues[0].check(pending: 1, deadLettered: 0).map(\.description) == [
                "expect.queues.EMAILS.pending: expected 0, got 1", "expect.queues.EMAILS.deadLettered: expected 1, got 0",
            ]
        )
        #expect(final.queues[1].check(pending: 2, deadLettered: 5).isEmpty)
    }
}
